package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Partial inner checksums: {@link Segmenter}'s partial mode against independently built packets ({@link Inet}),
 * and the receiver's side, {@link PartialChecksums}: which packets it takes for partial, the vnet header it writes
 * for them and the checksum it completes.
 */
class PartialChecksumsTest {
    private static final int VNET = VirtioNetHdr.LENGTH;
    private static final int MAX = 64;

    private final ByteBuffer headers = ByteBuffer.allocateDirect(MAX * Segmenter.HEADER_STRIDE);
    private final int[] headerLengths = new int[MAX];
    private final int[] payloadOffsets = new int[MAX];
    private final int[] payloadLengths = new int[MAX];

    private static ByteBuffer direct(byte[] packet, int at) {
        ByteBuffer b = ByteBuffer.allocateDirect(at + packet.length + 16);
        b.put(at, packet);
        return b;
    }

    private int split(ByteBuffer b, int len, int type, int gsoSize, boolean partial) {
        return Segmenter.split(b, VNET, len, type, gsoSize, headers, 0, Segmenter.HEADER_STRIDE, headerLengths,
                payloadOffsets, payloadLengths, partial);
    }

    private byte[] segment(ByteBuffer b, int i) {
        return Inet.concat(Inet.bytes(headers, i * Segmenter.HEADER_STRIDE, headerLengths[i]),
                Inet.bytes(b, payloadOffsets[i], payloadLengths[i]));
    }

    @ParameterizedTest(name = "payload {0} mss {1} flags {2} ip options {3}")
    @CsvSource({
            "4001, 1000, 25, 0",    // a short last segment keeps FIN|PSH
            "65483, 1448, 24, 0",   // a 64 KB super-packet
            "2897, 1447, 16, 8",    // odd sizes, IP options
            "0, 1448, 17, 0",       // no payload
    })
    void tcpSegmentsLeaveTheChecksumPartialAndFinishToTheCompletePacket(int payload, int mss, int flags,
            int ipOptions) {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(payload, mss);
        t.flags = flags;
        t.seq = 4_000_000_000L;
        t.ipOptions = ipOptions == 0 ? new byte[0] : Inet.pattern(ipOptions, 1);
        t.options = Inet.timestamps(1, 2);
        byte[] superPacket = t.buildPartial();
        ByteBuffer b = direct(superPacket, VNET);
        int n = split(b, superPacket.length, VirtioNetHdr.GSO_TCPV4, mss, true);
        assertEquals(payload == 0 ? 1 : (payload + mss - 1) / mss, n);
        for (int i = 0; i < n; i++) {
            Inet.Tcp expected = t.copy();
            expected.payload = Arrays.copyOfRange(t.payload, i * mss, i * mss + Math.min(mss, payload - i * mss));
            expected.id = (t.id + i) & 0xffff;
            expected.seq = (t.seq + (long) i * mss) & 0xffffffffL;
            expected.flags = flags & ~(i == n - 1 ? 0 : Inet.FIN | Inet.PSH);
            byte[] wire = segment(b, i);
            assertArrayEquals(expected.buildPartial(), wire, "segment " + i + ": the kernel's partial form");
            assertTrue(Inet.ipValid(wire), "the IP header checksum is complete");
            assertReceiverTakesItAndCompletesIt(wire, expected.build(), 20 + ipOptions + 16);
        }
    }

    @Test
    void udpSegmentsLeaveTheChecksumPartialAndFinishToTheCompletePacket() {
        Inet.Udp u = new Inet.Udp();
        u.payload = Inet.pattern(3000, 1400);
        byte[] superPacket = u.buildPartial();
        ByteBuffer b = direct(superPacket, VNET);
        assertEquals(3, split(b, superPacket.length, VirtioNetHdr.GSO_UDP_L4, 1400, true));
        for (int i = 0; i < 3; i++) {
            Inet.Udp expected = u.copy();
            expected.payload = Arrays.copyOfRange(u.payload, i * 1400, Math.min(3000, (i + 1) * 1400));
            expected.id = (u.id + i) & 0xffff;
            byte[] wire = segment(b, i);
            assertArrayEquals(expected.buildPartial(), wire, "segment " + i);
            assertReceiverTakesItAndCompletesIt(wire, expected.build(), 20 + 6);
        }
    }

    @Test
    void partialModeReadsNoPayloadButCompleteModeDoes() {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(3000, 1000);
        byte[] p = t.buildPartial();
        ByteBuffer b = direct(p, VNET);
        assertEquals(3, split(b, p.length, VirtioNetHdr.GSO_TCPV4, 1000, true));
        byte[] partial = segment(b, 1);
        // Scribble over the payload: a partial checksum does not depend on it, a complete one does.
        for (int i = 0; i < 3000; i++) {
            b.put(VNET + 40 + i, (byte) (i * 7));
        }
        assertEquals(3, split(b, p.length, VirtioNetHdr.GSO_TCPV4, 1000, true));
        assertEquals(Inet.u16(partial, 36), Inet.u16(segment(b, 1), 36));
        assertEquals(3, split(b, p.length, VirtioNetHdr.GSO_TCPV4, 1000, false));
        assertTrue(Inet.l4Valid(segment(b, 1)), "complete mode sums the payload");
        assertNotEquals(Inet.u16(partial, 36), Inet.u16(segment(b, 1), 36));
    }

    /** A receiver's view of {@code wire}: partial at {@code fieldAt}; NEEDS_CSUM; completed to {@code complete}. */
    private static void assertReceiverTakesItAndCompletesIt(byte[] wire, byte[] complete, int fieldAt) {
        ByteBuffer in = direct(wire, 3);
        assertEquals(fieldAt, PartialChecksums.fieldAt(in, 3, wire.length));
        int ihl = (wire[0] & 0x0f) * 4;
        ByteBuffer vnet = ByteBuffer.allocateDirect(VNET);
        PartialChecksums.writeVnetHeader(in, 3, wire.length, vnet, 0);
        assertEquals(VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.flags(vnet, 0));
        assertEquals(VirtioNetHdr.GSO_NONE, VirtioNetHdr.gsoType(vnet, 0));
        assertEquals(ihl, VirtioNetHdr.csumStart(vnet, 0));
        assertEquals(fieldAt - ihl, VirtioNetHdr.csumOffset(vnet, 0));
        assertTrue(PartialChecksums.finish(in, 3, wire.length));
        assertArrayEquals(complete, Inet.bytes(in, 3, wire.length), "completed as the kernel would");
        assertEquals(-1, PartialChecksums.fieldAt(in, 3, wire.length), "a complete packet is not partial");
        assertFalse(PartialChecksums.finish(in, 3, wire.length), "and is left alone");
    }

    @Test
    void completePacketsOtherProtocolsFragmentsAndTruncatedPacketsAreNotPartial() {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(500, 3);
        assertNotPartial(t.build(), "a complete TCP checksum");
        Inet.Udp u = new Inet.Udp();
        u.payload = Inet.pattern(100, 3);
        assertNotPartial(u.build(), "a complete UDP checksum");
        Inet.Tcp fragment = t.copy();
        fragment.fragment = 0x2000; // MF
        assertNotPartial(fragment.buildPartial(), "a fragment");
        byte[] partial = t.buildPartial();
        assertNotPartial(Arrays.copyOf(partial, 300), "a packet shorter than its total length");
        byte[] icmp = t.buildPartial();
        icmp[9] = 1;
        assertNotPartial(icmp, "ICMP");
        byte[] v6 = t.buildPartial();
        v6[0] = 0x65;
        assertNotPartial(v6, "not IPv4");
        assertNotPartial(Arrays.copyOf(partial, 19), "shorter than an IPv4 header");
    }

    private static void assertNotPartial(byte[] p, String what) {
        ByteBuffer b = direct(p, 0);
        assertEquals(-1, PartialChecksums.fieldAt(b, 0, p.length), what);
        ByteBuffer vnet = ByteBuffer.allocateDirect(VNET);
        vnet.put(0, (byte) 0x7f);
        PartialChecksums.writeVnetHeader(b, 0, p.length, vnet, 0);
        assertArrayEquals(new byte[VNET], Inet.bytes(vnet, 0, VNET), what + " gets a zero vnet header");
        assertFalse(PartialChecksums.finish(b, 0, p.length), what);
        assertArrayEquals(p, Inet.bytes(b, 0, p.length), what + " is left as it is");
    }

    @Test
    void aCompleteChecksumEqualToThePartialValueFinishesToItself() {
        // Search a payload word that makes the complete checksum equal the partial value: treating that packet
        // as partial must give the same bytes, so the receiver's test needs no flag on the wire.
        Inet.Tcp t = new Inet.Tcp();
        t.payload = new byte[64];
        byte[] complete = null;
        for (int w = 0; w < 0x10000 && complete == null; w++) {
            t.payload[0] = (byte) (w >>> 8);
            t.payload[1] = (byte) w;
            byte[] p = t.build();
            if (Inet.u16(p, 36) == Inet.partial(p)) {
                complete = p;
            }
        }
        assertTrue(complete != null, "some payload word gives it");
        ByteBuffer b = direct(complete, 0);
        assertEquals(36, PartialChecksums.fieldAt(b, 0, complete.length));
        assertTrue(PartialChecksums.finish(b, 0, complete.length));
        assertArrayEquals(complete, Inet.bytes(b, 0, complete.length));
        assertTrue(Inet.l4Valid(complete));
    }
}
