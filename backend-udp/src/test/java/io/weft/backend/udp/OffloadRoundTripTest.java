package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.management.ThreadMXBean;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The send side and the receive side together, and the promise that neither allocates per packet. */
class OffloadRoundTripTest {
    private static final int VNET = VirtioNetHdr.LENGTH;

    @ParameterizedTest(name = "payload {0} mss {1} options {2}")
    @CsvSource({"20001, 1448, 12", "65483, 1448, 12", "65495, 1460, 0", "3000, 1000, 40", "2001, 1000, 0"})
    void segmentingThenCoalescingRebuildsTheSuperPacket(int payload, int mss, int options) {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(payload, 3);
        t.flags = Inet.ACK | Inet.PSH;
        t.options = options == 12 ? Inet.timestamps(42, 24) : Inet.pattern(options, 8);
        t.id = 65_530; // the ids of the segments wrap
        byte[] original = t.buildPartial();

        // Send side: TUN read → segments.
        ByteBuffer read = ByteBuffer.allocateDirect(VNET + original.length);
        VirtioNetHdr.write(read, 0, VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 40 + options, mss, 20, 16);
        read.put(VNET, original);
        ByteBuffer headers = ByteBuffer.allocateDirect(64 * Segmenter.HEADER_STRIDE);
        int[] headerLengths = new int[64];
        int[] payloadOffsets = new int[64];
        int[] payloadLengths = new int[64];
        int n = Segmenter.split(read, VNET, original.length, VirtioNetHdr.gsoType(read, 0),
                VirtioNetHdr.gsoSize(read, 0), headers, 0, Segmenter.HEADER_STRIDE, headerLengths, payloadOffsets,
                payloadLengths);
        assertEquals((payload + mss - 1) / mss, n);

        // The wire: each segment lands in its own slot of the receiving batch.
        int slot = 65_600;
        ByteBuffer batch = ByteBuffer.allocateDirect(n * slot);
        TcpCoalescer coalescer = new TcpCoalescer(64);
        for (int i = 0; i < n; i++) {
            int at = i * slot + 64;
            batch.put(at, headers, i * Segmenter.HEADER_STRIDE, headerLengths[i]);
            batch.put(at + headerLengths[i], read, payloadOffsets[i], payloadLengths[i]);
            assertEquals(0, coalescer.add(batch, at, headerLengths[i] + payloadLengths[i], i), "segment " + i);
        }
        assertEquals(1, coalescer.groups());
        assertEquals(n, coalescer.size(0));

        // Receive side: one TUN write of vnet header, first packet, other payloads.
        int first = coalescer.prepareFirst(0, batch);
        byte[] rebuilt = Inet.bytes(batch, coalescer.packetOffset(0, 0), first);
        for (int k = 1; k < n; k++) {
            rebuilt = Inet.concat(rebuilt, Inet.bytes(batch, coalescer.payloadOffset(0, k), coalescer.payloadLength(0, k)));
        }
        assertArrayEquals(original, rebuilt, "the first segment carries the original IP id, so all bytes match");
        assertEquals(Inet.partial(original), Inet.u16(rebuilt, 20 + 16), "pseudo-header partial checksum");
        ByteBuffer vnet = ByteBuffer.allocate(VNET);
        coalescer.writeVnetHeader(0, vnet, 0);
        assertArrayEquals(Inet.bytes(read, 0, VNET), vnet.array(), "the same vnet header the TUN device gave");
    }

    @Test
    void steadyStateAllocatesNothing() {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(8 * 1448 - 100, 3);
        t.options = Inet.timestamps(42, 24);
        byte[] original = t.buildPartial();
        ByteBuffer read = ByteBuffer.allocateDirect(VNET + original.length);
        read.put(VNET, original);
        ByteBuffer headers = ByteBuffer.allocateDirect(64 * Segmenter.HEADER_STRIDE);
        int[] headerLengths = new int[64];
        int[] payloadOffsets = new int[64];
        int[] payloadLengths = new int[64];
        int n = Segmenter.split(read, VNET, original.length, VirtioNetHdr.GSO_TCPV4, 1448, headers, 0,
                Segmenter.HEADER_STRIDE, headerLengths, payloadOffsets, payloadLengths);
        ByteBuffer batch = ByteBuffer.allocateDirect(n * 2048);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++) {
            batch.put(i * 2048, headers, i * Segmenter.HEADER_STRIDE, headerLengths[i]);
            batch.put(i * 2048 + headerLengths[i], read, payloadOffsets[i], payloadLengths[i]);
            lengths[i] = headerLengths[i] + payloadLengths[i];
        }
        // prepareFirst rewrites the first packet's header; keep its original to restore each round.
        byte[] firstHeader = Inet.bytes(batch, 0, headerLengths[0]);
        ByteBuffer pristine = ByteBuffer.allocateDirect(firstHeader.length).put(0, firstHeader);
        TcpCoalescer coalescer = new TcpCoalescer(64);
        ByteBuffer vnet = ByteBuffer.allocateDirect(VNET);
        long[] sink = new long[1];
        Runnable round = () -> {
            sink[0] += Segmenter.split(read, VNET, original.length, VirtioNetHdr.GSO_TCPV4, 1448, headers, 0,
                    Segmenter.HEADER_STRIDE, headerLengths, payloadOffsets, payloadLengths);
            coalescer.reset();
            for (int i = 0; i < n; i++) {
                coalescer.add(batch, i * 2048, lengths[i], i);
            }
            for (int g = 0; g < coalescer.groups(); g++) {
                sink[0] += coalescer.prepareFirst(g, batch);
                coalescer.writeVnetHeader(g, vnet, 0);
                for (int k = 0; k < coalescer.size(g); k++) {
                    sink[0] += coalescer.slot(g, k) + coalescer.payloadOffset(g, k) + coalescer.payloadLength(g, k);
                }
            }
            batch.put(0, pristine, 0, pristine.capacity());
            sink[0] += Segmenter.finishChecksum(read, VNET, original.length, 20, 16);
        };
        round.run();
        assertEquals(1, coalescer.groups(), "the segments coalesce each round");
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long id = Thread.currentThread().getId();
        for (int i = 0; i < 20_000; i++) {
            round.run();
        }
        mx.getThreadAllocatedBytes(id);
        long before = mx.getThreadAllocatedBytes(id);
        for (int i = 0; i < 100_000; i++) {
            round.run();
        }
        long allocated = mx.getThreadAllocatedBytes(id) - before;
        assertTrue(sink[0] != 0);
        assertEquals(0, allocated, "bytes allocated by 100,000 rounds of split, add, prepareFirst");
    }
}
