package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class SegmenterTest {
    private static final int VNET = VirtioNetHdr.LENGTH;
    private static final int MAX = 128;

    private final ByteBuffer headers = ByteBuffer.allocateDirect(MAX * Segmenter.HEADER_STRIDE);
    private final int[] headerLengths = new int[MAX];
    private final int[] payloadOffsets = new int[MAX];
    private final int[] payloadLengths = new int[MAX];

    /** The super-packet in a direct buffer after a vnet header, as read from the TUN device. */
    private static ByteBuffer tunRead(byte[] packet) {
        ByteBuffer b = ByteBuffer.allocateDirect(VNET + packet.length + 16);
        for (int i = 0; i < packet.length; i++) {
            b.put(VNET + i, packet[i]);
        }
        return b;
    }

    private int split(ByteBuffer b, int len, int type, int gsoSize) {
        return Segmenter.split(b, VNET, len, type, gsoSize, headers, 0, Segmenter.HEADER_STRIDE, headerLengths,
                payloadOffsets, payloadLengths);
    }

    /** Segment i as it goes on the wire: its header from the header area, then its payload slice. */
    private byte[] segment(ByteBuffer b, int i) {
        return Inet.concat(Inet.bytes(headers, i * Segmenter.HEADER_STRIDE, headerLengths[i]),
                Inet.bytes(b, payloadOffsets[i], payloadLengths[i]));
    }

    @ParameterizedTest(name = "payload {0} mss {1} id {2} seq {3} flags {4} ipopt {5} tcpopt {6}")
    @CsvSource({
            // payload, mss, id0, seq0, flags, IP options, TCP options
            "4000, 1000, 4660, 1000000, 24, 0, 0",          // exact multiple, ACK|PSH
            "4001, 1000, 4660, 1000000, 24, 0, 0",          // last segment of one byte
            "2897, 1447, 1, 5, 16, 0, 12",                  // odd mss and payload, timestamps
            "10, 1448, 7, 5, 25, 0, 12",                    // a single short segment keeps FIN|PSH
            "20000, 1448, 65534, 4294967000, 217, 0, 12",   // id and seq wrap; CWR|ACK|PSH|FIN (0xd9)
            "9001, 1460, 0, 0, 144, 8, 40",                 // CWR|ACK, IP options, 40 bytes of TCP options
            "65483, 1448, 300, 12345, 24, 0, 12",           // a 64 KB super-packet
            "0, 1448, 9, 9, 17, 0, 0",                      // no payload (FIN|ACK): one segment
            "3000, 1, 9, 9, 16, 0, 0",                      // one byte per segment would be 3000: too many
    })
    void tcpSegmentsMatchIndependentlyBuiltPackets(int payload, int mss, int id0, long seq0, int flags, int ipOptions,
            int tcpOptions) {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(payload, mss);
        t.id = id0;
        t.seq = seq0;
        t.flags = flags;
        t.ipOptions = ipOptions == 0 ? new byte[0] : Inet.pattern(ipOptions, 1);
        t.options = tcpOptions == 12 ? Inet.timestamps(123456, 654321) : Inet.pattern(tcpOptions, 2);
        byte[] superPacket = t.buildPartial();
        ByteBuffer b = tunRead(superPacket);
        int n = split(b, superPacket.length, VirtioNetHdr.GSO_TCPV4, mss);
        int expectedCount = payload == 0 ? 1 : (payload + mss - 1) / mss;
        if (expectedCount > MAX) {
            assertEquals(Segmenter.TOO_MANY_SEGMENTS, n);
            return;
        }
        assertEquals(expectedCount, n);
        int headerLength = 20 + ipOptions + 20 + tcpOptions;
        for (int i = 0; i < n; i++) {
            int chunk = Math.min(mss, payload - i * mss);
            Inet.Tcp expected = t.copy();
            expected.payload = Arrays.copyOfRange(t.payload, i * mss, i * mss + chunk);
            expected.id = (id0 + i) & 0xffff;
            expected.seq = (seq0 + (long) i * mss) & 0xffffffffL;
            expected.flags = flags & ~(i == n - 1 ? 0 : Inet.FIN | Inet.PSH) & ~(i == 0 ? 0 : Inet.CWR);
            byte[] wire = segment(b, i);
            assertArrayEquals(expected.build(), wire, "segment " + i);
            assertTrue(Inet.ipValid(wire) && Inet.l4Valid(wire), "checksums of segment " + i);
            assertEquals(headerLength, headerLengths[i]);
            assertEquals(VNET + headerLength + i * mss, payloadOffsets[i], "the payload is not copied");
            assertEquals(chunk, payloadLengths[i]);
        }
        assertArrayEquals(superPacket, Inet.bytes(b, VNET, superPacket.length), "the super-packet is not modified");
    }

    @Test
    void ecnBitIsIgnoredWhenMatchingTheType() {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(3000, 3);
        t.flags = Inet.ACK | Inet.CWR;
        byte[] p = t.buildPartial();
        ByteBuffer b = tunRead(p);
        assertEquals(3, split(b, p.length, VirtioNetHdr.GSO_TCPV4 | VirtioNetHdr.GSO_ECN, 1000));
        assertEquals(Inet.ACK | Inet.CWR, segment(b, 0)[33] & 0xff);
        assertEquals(Inet.ACK, segment(b, 1)[33] & 0xff);
    }

    @ParameterizedTest(name = "payload {0} gso {1} id {2}")
    @CsvSource({
            "2944, 1472, 100",
            "2945, 1472, 100",
            "1, 1472, 65535",
            "30001, 999, 65500",
            "0, 1472, 3",
    })
    void udpSegmentsMatchIndependentlyBuiltPackets(int payload, int gsoSize, int id0) {
        Inet.Udp u = new Inet.Udp();
        u.payload = Inet.pattern(payload, gsoSize);
        u.id = id0;
        byte[] superPacket = u.buildPartial();
        ByteBuffer b = tunRead(superPacket);
        int n = split(b, superPacket.length, VirtioNetHdr.GSO_UDP_L4, gsoSize);
        assertEquals(payload == 0 ? 1 : (payload + gsoSize - 1) / gsoSize, n);
        for (int i = 0; i < n; i++) {
            Inet.Udp expected = u.copy();
            expected.payload = Arrays.copyOfRange(u.payload, i * gsoSize, i * gsoSize + Math.min(gsoSize,
                    payload - i * gsoSize));
            expected.id = (id0 + i) & 0xffff;
            byte[] wire = segment(b, i);
            assertArrayEquals(expected.build(), wire, "segment " + i);
            assertTrue(Inet.ipValid(wire) && Inet.l4Valid(wire), "checksums of segment " + i);
            assertEquals(8 + expected.payload.length, Inet.u16(wire, 24), "UDP length");
        }
    }

    @Test
    void aUdpChecksumThatComputesToZeroIsSentAsAllOnes() {
        Inet.Udp u = new Inet.Udp();
        u.payload = Inet.pattern(2000, 5);
        // Make the second segment's sum 0xffff: its last payload word completes it.
        Inet.Udp second = u.copy();
        second.payload = Arrays.copyOfRange(u.payload, 1000, 2000);
        second.payload[998] = 0;
        second.payload[999] = 0;
        byte[] s = second.build();
        int word = Inet.u16(s, 26); // ~sum without the word: adding it gives 0xffff
        u.payload[1998] = (byte) (word >>> 8);
        u.payload[1999] = (byte) word;
        byte[] p = u.buildPartial();
        ByteBuffer b = tunRead(p);
        assertEquals(2, split(b, p.length, VirtioNetHdr.GSO_UDP_L4, 1000));
        byte[] wire = segment(b, 1);
        assertEquals(0xffff, Inet.u16(wire, 26));
        assertTrue(Inet.l4Valid(wire));
    }

    @Test
    void a64KbTsoPacketNeedsTwoGsoSends() {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(65_535 - 40, 1);
        byte[] p = t.buildPartial();
        ByteBuffer b = tunRead(p);
        int n = split(b, p.length, VirtioNetHdr.GSO_TCPV4, 1460);
        assertEquals(45, n);
        int segmentBytes = headerLengths[0] + payloadLengths[0];
        assertEquals(1500, segmentBytes);
        int perSend = Segmenter.segmentsPerSend(segmentBytes);
        assertEquals(43, perSend);
        assertEquals(2, (n + perSend - 1) / perSend);
        int firstSend = 0;
        for (int i = 0; i < perSend; i++) {
            firstSend += headerLengths[i] + payloadLengths[i];
        }
        assertTrue(firstSend <= Segmenter.MAX_BYTES_PER_SEND);
    }

    @ParameterizedTest
    @CsvSource({"1500, 43", "1000, 64", "1024, 63", "100, 64", "65507, 1", "65508, 0", "0, 0", "-5, 0", "9000, 7"})
    void segmentsPerSend(int segmentBytes, int expected) {
        assertEquals(expected, Segmenter.segmentsPerSend(segmentBytes));
    }

    enum Malformed {
        SHORTER_THAN_IPV4(Segmenter.BAD_LENGTH),
        VERSION_6(Segmenter.NOT_IPV4),
        IHL_4(Segmenter.BAD_HEADER_LENGTH),
        IHL_BEYOND_PACKET(Segmenter.BAD_HEADER_LENGTH),
        TOTAL_LENGTH_BEYOND_READ(Segmenter.BAD_LENGTH),
        TOTAL_LENGTH_BELOW_IHL(Segmenter.BAD_LENGTH),
        MORE_FRAGMENTS(Segmenter.UNSUPPORTED),
        FRAGMENT_OFFSET(Segmenter.UNSUPPORTED),
        GSO_NONE(Segmenter.UNSUPPORTED),
        GSO_UDP_FRAGMENTATION(Segmenter.UNSUPPORTED),
        GSO_TCPV6(Segmenter.UNSUPPORTED),
        UDP_FOR_TCPV4(Segmenter.UNSUPPORTED),
        TCP_FOR_UDP_L4(Segmenter.UNSUPPORTED),
        DATA_OFFSET_4(Segmenter.BAD_HEADER_LENGTH),
        DATA_OFFSET_BEYOND_PACKET(Segmenter.BAD_HEADER_LENGTH),
        TRUNCATED_TCP_HEADER(Segmenter.BAD_LENGTH),
        GSO_SIZE_0(Segmenter.BAD_GSO_SIZE),
        MORE_SEGMENTS_THAN_ARRAYS(Segmenter.TOO_MANY_SEGMENTS),
        MORE_SEGMENTS_THAN_HEADER_AREA(Segmenter.TOO_MANY_SEGMENTS),
        STRIDE_BELOW_HEADERS(Segmenter.HEADER_AREA_TOO_SMALL),
        LENGTH_BEYOND_BUFFER(Segmenter.BAD_LENGTH);

        final int result;

        Malformed(int result) {
            this.result = result;
        }
    }

    @ParameterizedTest
    @EnumSource(Malformed.class)
    void malformedSuperPacketsAreRefused(Malformed m) {
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(5000, 1);
        t.options = Inet.timestamps(1, 2);
        byte[] p = t.buildPartial();
        int len = p.length;
        int type = VirtioNetHdr.GSO_TCPV4;
        int gso = 1000;
        int stride = Segmenter.HEADER_STRIDE;
        int[] lengths = headerLengths;
        ByteBuffer area = headers;
        switch (m) {
            case SHORTER_THAN_IPV4 -> len = 19;
            case VERSION_6 -> p[0] = 0x65;
            case IHL_4 -> p[0] = 0x44;
            case IHL_BEYOND_PACKET -> {
                p[0] = 0x4f;
                Inet.put16(p, 2, 40);
                len = 40;
            }
            case TOTAL_LENGTH_BEYOND_READ -> len = p.length - 1;
            case TOTAL_LENGTH_BELOW_IHL -> Inet.put16(p, 2, 19);
            case MORE_FRAGMENTS -> p[6] |= 0x20;
            case FRAGMENT_OFFSET -> p[7] = 1;
            case GSO_NONE -> type = VirtioNetHdr.GSO_NONE;
            case GSO_UDP_FRAGMENTATION -> type = VirtioNetHdr.GSO_UDP;
            case GSO_TCPV6 -> type = VirtioNetHdr.GSO_TCPV6;
            case UDP_FOR_TCPV4 -> p[9] = 17;
            case TCP_FOR_UDP_L4 -> type = VirtioNetHdr.GSO_UDP_L4;
            case DATA_OFFSET_4 -> p[32] = 0x40;
            case DATA_OFFSET_BEYOND_PACKET -> {
                Inet.put16(p, 2, 50);
                len = 50;
            }
            case TRUNCATED_TCP_HEADER -> Inet.put16(p, 2, 39);
            case GSO_SIZE_0 -> gso = 0;
            case MORE_SEGMENTS_THAN_ARRAYS -> lengths = new int[4];
            case MORE_SEGMENTS_THAN_HEADER_AREA -> area = ByteBuffer.allocateDirect(4 * Segmenter.HEADER_STRIDE + 60);
            case STRIDE_BELOW_HEADERS -> stride = 51;
            case LENGTH_BEYOND_BUFFER -> len = p.length + 100;
            default -> throw new AssertionError(m);
        }
        ByteBuffer b = ByteBuffer.allocate(VNET + p.length);
        b.put(VNET, p);
        int n = Segmenter.split(b, VNET, len, type, gso, area, 0, stride, lengths, payloadOffsets, payloadLengths);
        assertEquals(m.result, n);
    }

    @Test
    void malformedUdpLengthIsRefused() {
        Inet.Udp u = new Inet.Udp();
        u.payload = Inet.pattern(3000, 1);
        byte[] p = u.buildPartial();
        Inet.put16(p, 24, 3007);
        ByteBuffer b = tunRead(p);
        assertEquals(Segmenter.BAD_LENGTH, split(b, p.length, VirtioNetHdr.GSO_UDP_L4, 1000));
    }

    @Test
    void randomBytesAndMutatedHeadersNeverThrowNorReachOutside() {
        Random random = new Random(20261201);
        int[] types = {VirtioNetHdr.GSO_TCPV4, VirtioNetHdr.GSO_UDP_L4, 0x81, 0x85, 0, 3, 4};
        Inet.Tcp t = new Inet.Tcp();
        t.payload = Inet.pattern(4000, 9);
        t.options = Inet.timestamps(5, 6);
        byte[] valid = t.buildPartial();
        Inet.Udp u = new Inet.Udp();
        u.payload = Inet.pattern(4000, 9);
        byte[] validUdp = u.buildPartial();
        int accepted = 0;
        for (int round = 0; round < 50_000; round++) {
            byte[] p;
            if (round % 3 == 0) {
                p = new byte[random.nextInt(200)];
                random.nextBytes(p);
                if (p.length > 0 && random.nextBoolean()) {
                    p[0] = (byte) (0x40 | p[0] & 0x0f);
                }
            } else {
                p = (round % 3 == 1 ? valid : validUdp).clone();
                for (int k = random.nextInt(4); k >= 0; k--) {
                    p[random.nextInt(60)] = (byte) random.nextInt(256);
                }
            }
            int len = p.length == 0 || random.nextInt(4) != 0 ? p.length : random.nextInt(p.length + 1);
            // The buffer ends exactly where the read ends, so any read beyond it throws.
            ByteBuffer b = ByteBuffer.allocate(VNET + len);
            b.put(VNET, p, 0, len);
            int type = random.nextBoolean() ? types[random.nextInt(types.length)]
                    : round % 3 == 2 ? VirtioNetHdr.GSO_UDP_L4 : VirtioNetHdr.GSO_TCPV4;
            int gso = random.nextInt(10) == 0 ? 0 : 1 + random.nextInt(2000);
            int n = split(b, len, type, gso);
            if (n > 0) {
                accepted++;
                for (int i = 0; i < n; i++) {
                    assertTrue(payloadOffsets[i] >= VNET + headerLengths[i]
                            && payloadOffsets[i] + payloadLengths[i] <= VNET + len, "round " + round);
                    byte[] wire = segment(b, i);
                    assertTrue(Inet.ipValid(wire) && Inet.l4Valid(wire), "checksums, round " + round);
                }
            } else {
                assertTrue(n < 0, "round " + round);
            }
        }
        assertTrue(accepted > 1000, "some mutations stay valid: " + accepted);
    }

    @ParameterizedTest(name = "{0} payload {1}")
    @CsvSource({"tcp, 1000", "tcp, 1", "tcp, 0", "tcp, 8999", "udp, 1000", "udp, 1", "udp, 0", "udp, 8999"})
    void finishChecksumCompletesTheKernelsPartialChecksum(String protocol, int payload) {
        boolean tcp = protocol.equals("tcp");
        Inet.Ip ip;
        if (tcp) {
            Inet.Tcp t = new Inet.Tcp();
            t.options = Inet.timestamps(9, 10);
            ip = t;
        } else {
            ip = new Inet.Udp();
        }
        ip.payload = Inet.pattern(payload, 4);
        byte[] partial = ip.buildPartial();
        byte[] full = ip.build();
        ByteBuffer b = tunRead(partial);
        assertEquals(0, Segmenter.finishChecksum(b, VNET, partial.length, 20, tcp ? 16 : 6));
        byte[] finished = Inet.bytes(b, VNET, partial.length);
        assertArrayEquals(full, finished);
        assertTrue(Inet.l4Valid(finished));
    }

    @ParameterizedTest(name = "start {0} offset {1} len {2}")
    @CsvSource({"-1, 16, 60", "20, -1, 60", "59, 0, 60", "58, 1, 60", "20, 39, 60", "0, 0, 1", "20, 16, 61"})
    void finishChecksumRefusesOffsetsOutsideThePacket(int start, int offset, int len) {
        ByteBuffer b = ByteBuffer.allocate(60);
        assertEquals(Segmenter.BAD_LENGTH, Segmenter.finishChecksum(b, 0, len, start, offset));
        assertArrayEquals(new byte[60], b.array(), "nothing written");
    }

    @Test
    void finishChecksumAtTheVeryEnd() {
        ByteBuffer b = ByteBuffer.allocate(60);
        assertEquals(0, Segmenter.finishChecksum(b, 0, 60, 20, 38));
        assertEquals(0xffff, b.getShort(58) & 0xffff);
    }
}
