package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.linux.testing.Netns;
import io.weft.linux.testing.NetnsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The reuseport program in the kernel: in a namespace this test makes, {@link FlowSteeringProbe} sends datagrams
 * of many inner flows to a group of reuseport sockets, and every one arrives on the socket {@link FlowSteering#queue}
 * names (the queue the receiving thread writes the flow into), so a peer's flows spread over the queues although
 * they share one outer address and port. Every packet stays on the namespace's loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class FlowSteeringNetnsTest {
    @RegisterExtension
    final NetnsExtension ns = new NetnsExtension("weft-steer", Need.root(), Need.iproute2());

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void everyDatagramArrivesOnTheSocketOfItsInnerFlowsQueue(int queues) throws Exception {
        Path log = Files.createTempFile("weft-steer-", ".log");
        try {
            Process probe = ns.get().start(FlowSteeringProbe.class, log, String.valueOf(queues));
            Map<String, String> results = Netns.results(probe, log, 60);
            assertEquals("true", results.get("attached"), Files.readString(log));
            assertEquals("96", results.get("delivered"), Files.readString(log));
            assertEquals("0", results.get("mismatches"), Files.readString(log));
            String expected = results.get("expectedPerQueue");
            assertFalse(Arrays.stream(expected.split(",")).anyMatch("0"::equals),
                    "the flows chosen cover every queue: " + expected);
            assertEquals(expected, results.get("perQueue"));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
