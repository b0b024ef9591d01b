package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The queue a flow hashes to: stable for a flow, spread over the queues for the flows a host really makes. */
class FlowSteeringTest {

    private static ByteBuffer tcp(int source, int destination, int sourcePort, int destinationPort) {
        ByteBuffer p = ByteBuffer.allocate(40);
        p.put(0, (byte) 0x45).putShort(2, (short) 40).put(8, (byte) 64).put(9, (byte) Checksums.PROTOCOL_TCP)
                .putInt(12, source).putInt(16, destination)
                .putShort(20, (short) sourcePort).putShort(22, (short) destinationPort);
        return p;
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void connectionsFromEvenEphemeralPortsToOneServerSpreadOverEveryQueue(int queues) {
        // Linux gives connect() even ports first: four iperf3 streams to one server differ only there.
        int[] perQueue = new int[queues];
        for (int port = 40000; port < 40016; port += 2) {
            perQueue[FlowSteering.queue(tcp(0x64600100, 0x64600200, port, 5201), 0, queues)]++;
        }
        for (int q = 0; q < queues; q++) {
            assertTrue(perQueue[q] > 0, "queue " + q + " of " + queues + " gets some of 8 streams");
        }
    }

    @Test
    void aFlowAndItsRepliesStayOnOneQueueAndOffsetsDoNotMatter() {
        ByteBuffer at0 = tcp(0x64600100, 0x64600200, 40000, 5201);
        ByteBuffer at7 = ByteBuffer.allocate(47);
        at7.put(7, at0.array(), 0, 40);
        for (int queues = 1; queues <= 16; queues++) {
            int q = FlowSteering.queue(at0, 0, queues);
            assertTrue(q >= 0 && q < queues);
            assertEquals(q, FlowSteering.queue(at7, 7, queues));
            assertEquals(q, FlowSteering.queue(tcp(0x64600100, 0x64600200, 40000, 5201), 0, queues));
        }
    }

    @Test
    void theProgramNeedsTwoQueues() {
        assertThrows(IllegalArgumentException.class, () -> FlowSteering.program(1));
        assertEquals(22, FlowSteering.program(2).length());
    }
}
