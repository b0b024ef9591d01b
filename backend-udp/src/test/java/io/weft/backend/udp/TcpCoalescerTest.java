package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class TcpCoalescerTest {
    private static final int SLOT = 65_536 + 64;

    private final ByteBuffer batch = ByteBuffer.allocateDirect(256 * SLOT);
    private final TcpCoalescer coalescer = new TcpCoalescer(256);
    private final List<byte[]> added = new ArrayList<>();

    /** Puts packet number {@code added.size()} in its slot (after 64 bytes of headroom) and offers it. */
    private int add(byte[] p) {
        int slot = added.size();
        added.add(p);
        batch.put(slot * SLOT + 64, p);
        return coalescer.add(batch, slot * SLOT + 64, p.length, slot);
    }

    /** The slots of each group, in group order. */
    private List<List<Integer>> groups() {
        List<List<Integer>> out = new ArrayList<>();
        for (int g = 0; g < coalescer.groups(); g++) {
            List<Integer> slots = new ArrayList<>();
            for (int k = 0; k < coalescer.size(g); k++) {
                slots.add(coalescer.slot(g, k));
            }
            out.add(slots);
        }
        return out;
    }

    /** Group g as written to the TUN device: the first packet (after prepareFirst), then the payload slices. */
    private byte[] written(int g) {
        int first = coalescer.prepareFirst(g, batch);
        byte[] out = Inet.bytes(batch, coalescer.packetOffset(g, 0), first);
        for (int k = 1; k < coalescer.size(g); k++) {
            out = Inet.concat(out, Inet.bytes(batch, coalescer.payloadOffset(g, k), coalescer.payloadLength(g, k)));
        }
        return out;
    }

    private static Inet.Tcp flow(int sourcePort) {
        Inet.Tcp t = new Inet.Tcp();
        t.sourcePort = sourcePort;
        t.options = Inet.timestamps(1000, 2000);
        return t;
    }

    /** The segment of {@code t}'s flow at byte {@code at} of its stream, with {@code length} bytes. */
    private static byte[] data(Inet.Tcp t, long at, int length) {
        Inet.Tcp s = t.copy();
        s.seq = t.seq + at;
        s.payload = Arrays.copyOfRange(stream(t), (int) at, (int) at + length);
        s.id = t.id + (int) at;
        return s.build();
    }

    private static byte[] stream(Inet.Tcp t) {
        return Inet.pattern(200_000, t.sourcePort);
    }

    @Test
    void anInOrderRunBecomesOneSuperPacket() {
        Inet.Tcp a = flow(1);
        for (int i = 0; i < 5; i++) {
            assertEquals(0, add(data(a, i * 1000L, 1000)));
        }
        assertEquals(List.of(List.of(0, 1, 2, 3, 4)), groups());
        byte[] superPacket = written(0);
        Inet.Tcp expected = a.copy();
        expected.payload = Arrays.copyOf(stream(a), 5000);
        assertArrayEquals(expected.buildPartial(), superPacket);
        ByteBuffer vnet = ByteBuffer.allocate(VirtioNetHdr.LENGTH);
        coalescer.writeVnetHeader(0, vnet, 0);
        assertEquals(VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.flags(vnet, 0));
        assertEquals(VirtioNetHdr.GSO_TCPV4, VirtioNetHdr.gsoType(vnet, 0));
        assertEquals(52, VirtioNetHdr.hdrLen(vnet, 0));
        assertEquals(1000, VirtioNetHdr.gsoSize(vnet, 0));
        assertEquals(20, VirtioNetHdr.csumStart(vnet, 0));
        assertEquals(16, VirtioNetHdr.csumOffset(vnet, 0));
        assertEquals(5052, coalescer.totalLength(0));
        // The partial checksum finishes into a valid one.
        ByteBuffer b = ByteBuffer.wrap(superPacket.clone());
        Segmenter.finishChecksum(b, 0, superPacket.length, 20, 16);
        assertTrue(Inet.l4Valid(b.array()) && Inet.ipValid(b.array()));
    }

    @Test
    void aGroupOfOneIsWrittenUnchangedWithAZeroVnetHeader() {
        byte[] p = data(flow(1), 0, 700);
        add(p);
        assertEquals(p.length, coalescer.prepareFirst(0, batch));
        assertArrayEquals(p, Inet.bytes(batch, coalescer.packetOffset(0, 0), coalescer.packetLength(0, 0)));
        ByteBuffer vnet = ByteBuffer.allocate(VirtioNetHdr.LENGTH);
        vnet.put(0, (byte) 7);
        coalescer.writeVnetHeader(0, vnet, 0);
        assertArrayEquals(new byte[VirtioNetHdr.LENGTH], vnet.array());
    }

    @Test
    void neverMergesAcrossFlows() {
        Inet.Tcp a = flow(1);
        Inet.Tcp b = flow(2);
        Inet.Tcp c = flow(1);
        c.destination = "100.96.2.8";
        Inet.Tcp d = flow(1);
        d.source = "100.96.1.6";
        Inet.Tcp e = flow(1);
        e.destinationPort = 5202;
        for (int i = 0; i < 3; i++) {
            for (Inet.Tcp t : List.of(a, b, c, d, e)) {
                add(data(t, i * 500L, 500));
            }
        }
        assertEquals(List.of(List.of(0, 5, 10), List.of(1, 6, 11), List.of(2, 7, 12), List.of(3, 8, 13),
                List.of(4, 9, 14)), groups());
    }

    @Test
    void stopsAtASequenceGap() {
        Inet.Tcp a = flow(1);
        add(data(a, 0, 1000));
        add(data(a, 1000, 1000));
        add(data(a, 3000, 1000)); // 2000..3000 lost
        add(data(a, 4000, 1000));
        add(data(a, 2000, 1000)); // the retransmission, late
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4)), groups());
    }

    @Test
    void pshJoinsAndCloses() {
        Inet.Tcp a = flow(1);
        add(data(a, 0, 1000));
        Inet.Tcp push = a.copy();
        push.flags = Inet.ACK | Inet.PSH;
        add(data(push, 1000, 1000));
        add(data(a, 2000, 1000));
        add(data(push, 3000, 1000));
        add(data(push, 4000, 1000));
        assertEquals(List.of(List.of(0, 1), List.of(2, 3), List.of(4)), groups());
        assertEquals(Inet.ACK | Inet.PSH, written(0)[33] & 0xff);
        assertEquals(Inet.ACK | Inet.PSH, written(1)[33] & 0xff);
    }

    @Test
    void aShorterSegmentJoinsAndCloses() {
        Inet.Tcp a = flow(1);
        add(data(a, 0, 1000));
        add(data(a, 1000, 1000));
        add(data(a, 2000, 999));
        add(data(a, 2999, 1000));
        assertEquals(List.of(List.of(0, 1, 2), List.of(3)), groups());
        assertEquals(1000, coalescer.payloadLength(0, 0));
        assertEquals(999, coalescer.payloadLength(0, 2));
    }

    enum Change {
        LARGER_PAYLOAD, ACK, WINDOW, OPTIONS, OPTIONS_LENGTH, TOS, TTL, DF, ECE, CWR, URG, FIN, SYN, RST, PURE_ACK,
        IP_OPTIONS, MORE_FRAGMENTS, BAD_IP_CHECKSUM
    }

    /** Segment 3 differs from segments 1-2: the group closes before it; segment 4 starts afresh or joins 3. */
    @ParameterizedTest
    @EnumSource(Change.class)
    void aChangeClosesTheGroup(Change change) {
        Inet.Tcp a = flow(1);
        add(data(a, 0, 1000));
        add(data(a, 1000, 1000));
        Inet.Tcp c = a.copy();
        int length = 1000;
        switch (change) {
            case LARGER_PAYLOAD -> length = 1001;
            case ACK -> c.ack++;
            case WINDOW -> c.window++;
            case OPTIONS -> c.options = Inet.timestamps(1001, 2000);
            case OPTIONS_LENGTH -> c.options = new byte[] {1, 1, 1, 1};
            case TOS -> c.tos = 2;
            case TTL -> c.ttl = 63;
            case DF -> c.df = false;
            case ECE -> c.flags |= Inet.ECE;
            case CWR -> c.flags |= Inet.CWR;
            case URG -> c.flags |= Inet.URG;
            case FIN -> c.flags |= Inet.FIN;
            case SYN -> c.flags |= Inet.SYN;
            case RST -> c.flags |= Inet.RST;
            case PURE_ACK -> length = 0;
            case IP_OPTIONS -> c.ipOptions = new byte[] {1, 1, 1, 0};
            case MORE_FRAGMENTS -> c.fragment = 0x2000;
            case BAD_IP_CHECKSUM -> { }
            default -> throw new AssertionError(change);
        }
        byte[] third = data(c, 2000, length);
        if (change == Change.BAD_IP_CHECKSUM) {
            third[11] ^= 1;
        }
        add(third);
        add(data(c, 2000 + length, 1000));
        boolean thirdMayLead = switch (change) {
            case LARGER_PAYLOAD, ACK, WINDOW, OPTIONS, OPTIONS_LENGTH, TOS, TTL, DF -> true;
            default -> false;
        };
        List<List<Integer>> expected = thirdMayLead ? List.of(List.of(0, 1), List.of(2, 3))
                : List.of(List.of(0, 1), List.of(2), List.of(3));
        assertEquals(expected, groups());
        assertArrayEquals(third, Inet.bytes(batch, coalescer.packetOffset(1, 0), third.length));
    }

    /**
     * The TCP checksum is left to the underlay's UDP checksum (or ESP's ICV): a segment whose payload changed
     * after its TCP checksum was made still joins, and its group's checksum is the kernel's to finish.
     */
    @Test
    void theTcpChecksumIsNotVerifiedHere() {
        Inet.Tcp a = flow(1);
        add(data(a, 0, 1000));
        byte[] second = data(a, 1000, 1000);
        second[second.length - 1] ^= 1;
        add(second);
        assertEquals(List.of(List.of(0, 1)), groups());
    }

    @Test
    void atMost64Segments() {
        Inet.Tcp a = flow(1);
        for (int i = 0; i < 70; i++) {
            add(data(a, i * 100L, 100));
        }
        assertEquals(2, coalescer.groups());
        assertEquals(64, coalescer.size(0));
        assertEquals(6, coalescer.size(1));
        assertEquals(52 + 6400, Inet.u16(written(0), 2));
    }

    @Test
    void atMost64KbOfIpv4Packet() {
        Inet.Tcp a = flow(1);
        a.options = new byte[0];
        for (int i = 0; i < 50; i++) {
            add(data(a, i * 1460L, 1460));
        }
        // 40 + 44 × 1460 = 64,280 fits; one more would be 65,740.
        assertEquals(List.of(44, 6), List.of(coalescer.size(0), coalescer.size(1)));
        byte[] first = written(0);
        assertEquals(64_280, first.length);
        assertEquals(64_280, Inet.u16(first, 2));
    }

    @Test
    void exactly65535BytesStillFits() {
        Inet.Tcp a = flow(1);
        a.options = new byte[0];
        // 40 + 35 × 1871 = 65,525; a last segment of 10 makes 65,535.
        for (int i = 0; i < 35; i++) {
            add(data(a, i * 1871L, 1871));
        }
        add(data(a, 35 * 1871L, 10));
        assertEquals(1, coalescer.groups());
        assertEquals(65_535, written(0).length);
    }

    @Test
    void otherPacketsStandAloneAndCloseOnlyTheirOwnFlow() {
        Inet.Tcp a = flow(1);
        Inet.Tcp b = flow(2);
        add(data(a, 0, 1000));                            // 0: group 0 (a)
        add(data(b, 0, 1000));                            // 1: group 1 (b)
        add(Packets.ipv4("100.96.1.5", "100.96.2.7", 64, 17, 100).array()); // 2: UDP, group 2
        add(Packets.ipv4("100.96.1.5", "100.96.2.7", 64, 1, 60).array());   // 3: ICMP, group 3
        add(data(a, 1000, 1000));                         // 4: joins group 0: UDP and ICMP close nothing
        Inet.Tcp ack = b.copy();
        add(data(ack, 1000, 0));                          // 5: b's pure ACK: closes group 1, group 4
        add(data(b, 1000, 1000));                         // 6: group 5
        add(data(a, 2000, 1000));                         // 7: joins group 0
        assertEquals(List.of(List.of(0, 4, 7), List.of(1), List.of(2), List.of(3), List.of(5), List.of(6)), groups());
    }

    /**
     * A segment of the flow with IP options cannot join, so it closes the flow's group (its ports sit after the
     * options): a later segment that continues the group would otherwise be written before it. Found by
     * TcpCoalescerFuzzTest.
     */
    @Test
    void aSegmentWithIpOptionsClosesItsFlowsGroup() {
        Inet.Tcp a = flow(1);
        add(data(a, 0, 1000));
        Inet.Tcp withOptions = a.copy();
        withOptions.ipOptions = new byte[] {1, 1, 1, 0};
        add(data(withOptions, 500, 100));
        add(data(a, 1000, 1000));
        assertEquals(List.of(List.of(0), List.of(1), List.of(2)), groups());
    }

    @Test
    void aFragmentClosesEveryGroupBetweenItsAddresses() {
        Inet.Tcp a = flow(1);
        Inet.Tcp other = flow(2);
        other.destination = "100.96.9.9";
        add(data(a, 0, 1000));
        add(data(other, 0, 1000));
        Inet.Tcp fragment = flow(3);
        fragment.fragment = 100; // a later fragment: no ports to read
        add(data(fragment, 0, 400));
        add(data(a, 1000, 1000));
        add(data(other, 1000, 1000));
        assertEquals(List.of(List.of(0), List.of(1, 4), List.of(2), List.of(3)), groups());
    }

    @Test
    void theOldestOpenGroupIsClosedWhenTooManyAreOpen() {
        TcpCoalescer small = new TcpCoalescer(64, 3);
        ByteBuffer b = ByteBuffer.allocate(64 * 2048);
        int[] ports = {1, 2, 3, 4, 1, 2, 3, 4};
        int[] at = new int[5];
        for (int i = 0; i < ports.length; i++) {
            byte[] p = data(flow(ports[i]), at[ports[i]], 1000);
            at[ports[i]] += 1000;
            b.put(i * 2048, p);
            small.add(b, i * 2048, p.length, i);
        }
        // 4 closes 1's group; 1 then starts a new one and closes 2's, and so on.
        assertEquals(8, small.groups());
        small.reset();
        assertEquals(0, small.groups());
        for (int i = 0; i < 6; i++) {
            int port = 1 + i % 3;
            byte[] p = data(flow(port), i / 3 * 1000L, 1000);
            b.put(i * 2048, p);
            small.add(b, i * 2048, p.length, i);
        }
        assertEquals(3, small.groups(), "three flows fit three open groups");
    }

    @Test
    void aFullBatchRefusesMore() {
        TcpCoalescer two = new TcpCoalescer(2);
        ByteBuffer b = ByteBuffer.wrap(data(flow(1), 0, 100));
        assertEquals(0, two.add(b, 0, b.capacity(), 0));
        assertEquals(1, two.add(b, 0, b.capacity(), 1), "the same seq again: a new group");
        assertEquals(TcpCoalescer.FULL, two.add(b, 0, b.capacity(), 2));
        two.reset();
        assertEquals(0, two.add(b, 0, b.capacity(), 5));
        assertEquals(5, two.slot(0, 0));
    }

    @Test
    void garbageStandsAlone() {
        Random random = new Random(5);
        for (int i = 0; i < 200; i++) {
            byte[] p = new byte[random.nextInt(80)];
            random.nextBytes(p);
            if (p.length > 0) {
                p[0] = (byte) (0x40 | p[0] & 0x0f);
            }
            if (p.length > 9 && random.nextBoolean()) {
                p[9] = 6;
            }
            add(p);
        }
        assertEquals(200, coalescer.groups());
    }

    /**
     * Many flows, interleaved, with losses, pure ACKs, PSH and short segments, in random batches: each
     * group is one flow's contiguous run, and writing the groups in order gives every flow's packets in
     * arrival order.
     */
    @Test
    void writingGroupsInOrderNeverReordersAFlowUnderRandomTraffic() {
        Random random = new Random(99);
        for (int round = 0; round < 200; round++) {
            coalescer.reset();
            added.clear();
            int flows = 1 + random.nextInt(12);
            long[] next = new long[flows];
            int packets = 1 + random.nextInt(250);
            Map<Integer, List<Integer>> arrival = new HashMap<>();
            for (int i = 0; i < packets; i++) {
                int f = random.nextInt(flows);
                Inet.Tcp t = flow(100 + f);
                int kind = random.nextInt(20);
                int length = kind == 0 ? 0 : kind == 1 ? 1 + random.nextInt(1000) : 1000;
                if (kind == 2) {
                    t.flags |= Inet.PSH;
                }
                if (kind == 3) {
                    next[f] += 1000; // a loss
                }
                add(data(t, next[f], length));
                next[f] += length;
                arrival.computeIfAbsent(f, k -> new ArrayList<>()).add(i);
            }
            Map<Integer, List<Integer>> written = new HashMap<>();
            int members = 0;
            for (int g = 0; g < coalescer.groups(); g++) {
                int port = Inet.u16(added.get(coalescer.slot(g, 0)), 20);
                long expectedSeq = Inet.u32(added.get(coalescer.slot(g, 0)), 24);
                for (int k = 0; k < coalescer.size(g); k++) {
                    byte[] p = added.get(coalescer.slot(g, k));
                    assertEquals(port, Inet.u16(p, 20), "one flow per group");
                    assertEquals(expectedSeq, Inet.u32(p, 24), "contiguous");
                    expectedSeq += coalescer.payloadLength(g, k);
                    written.computeIfAbsent(port - 100, x -> new ArrayList<>()).add(coalescer.slot(g, k));
                    members++;
                }
                if (coalescer.size(g) > 1) {
                    byte[] w = written(g);
                    assertEquals(w.length, Inet.u16(w, 2));
                    ByteBuffer check = ByteBuffer.wrap(w);
                    Segmenter.finishChecksum(check, 0, w.length, 20, 16);
                    assertTrue(Inet.ipValid(w) && Inet.l4Valid(check.array()), "round " + round + " group " + g);
                }
            }
            assertEquals(packets, members);
            assertEquals(arrival, written, "round " + round);
        }
    }
}
