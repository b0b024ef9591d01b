package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.core.testing.FuzzInput;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Fuzz target for the receive side's {@link TcpCoalescer}: sequences of datagrams as {@code UdpToTun} offers them
 * (arbitrary bytes, and TCP segments of a few flows that follow on, skip, repeat, change a field or get
 * bytes flipped). Seeds: {@code TcpCoalescerFuzzTestInputs/}, written by {@link FuzzSeeds}.
 */
class TcpCoalescerFuzzTest {
    private static final int SLOT = 2048;
    private static final int HEADROOM = 64;
    private static final int MAX_PACKETS = 128;
    private static final int MAX_LENGTH = 1600;

    /**
     * Properties, for any packet sequence: nothing throws; every packet lands in exactly one group, groups keep
     * creation order and members arrival order, so writing the groups in order never reorders a flow (nor any
     * packet relative to the packets of its flow); a group of two or more holds in-order TCP segments of one
     * flow with equal headers but for the fields that may differ (IP id, checksums, sequence number, PSH on the
     * last, the urgent pointer without URG), every payload but the last as long as the first's, at most 64
     * segments and 65,535 bytes. Written out (its first packet's rewritten headers, the members' payload
     * slices, the GSO vnet header), it is a valid IPv4/TCP super-packet whose checksum the kernel can finish
     * and that {@link Segmenter} cuts back into exactly the members' payloads and sequence numbers. Only the
     * first packet's headers of such a group are written, nothing else in the batch buffer; no grouping
     * depends on bytes between the packets.
     *
     * <p>Input: batch size selector, open-group selector, then packet records to the end: a kind byte (0 mod
     * 4: raw bytes, a 16-bit length and the bytes; otherwise a TCP segment: flow, flags, 16-bit payload length,
     * sequence step, variant bits, and 0-3 byte flips of a 16-bit position and an xor mask each).
     */
    @FuzzTest
    void coalesce(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        int maxPackets = 1 + in.u8() % MAX_PACKETS;
        int maxOpen = 1 + in.u8() % 8;
        List<byte[]> packets = packets(in);
        String a = coalesceAll(packets, maxPackets, maxOpen, CanaryBuffer.FILL_A);
        String b = coalesceAll(packets, maxPackets, maxOpen, CanaryBuffer.FILL_B);
        assertEquals(a, b, "the grouping depends on bytes between the packets");
    }

    /** The packets the records describe. */
    static List<byte[]> packets(FuzzInput in) {
        List<byte[]> out = new ArrayList<>();
        Flow[] flows = {new Flow(40000, 5201, "100.96.2.5", "100.96.1.7"), new Flow(40001, 5201, "100.96.2.5",
                "100.96.1.7"), new Flow(40000, 5201, "100.96.2.6", "100.96.1.7"), new Flow(5201, 40000, "100.96.1.7",
                "100.96.2.5")};
        while (!in.exhausted() && out.size() < MAX_PACKETS * 2) {
            int kind = in.u8();
            if (kind % 4 == 0) {
                out.add(in.bytes(in.u16() % MAX_LENGTH));
                continue;
            }
            Flow f = flows[in.u8() % flows.length];
            byte[] p = f.next(in.u8(), in.u16() % 1461, in.u8(), in.u8());
            int flips = in.u8() % 4;
            for (int i = 0; i < flips; i++) {
                int at = in.u16();
                int mask = in.u8();
                if (p.length > 0) {
                    p[at % p.length] ^= (byte) mask;
                }
            }
            out.add(p);
        }
        return out;
    }

    /** One flow's segments, built by {@link Inet.Tcp}; it remembers where its stream is. */
    private static final class Flow {
        private static final int[] FLAGS = {Inet.ACK, Inet.ACK | Inet.PSH, Inet.ACK, Inet.ACK, Inet.SYN | Inet.ACK,
            Inet.FIN | Inet.ACK, Inet.ACK | Inet.URG, Inet.ACK | Inet.ECE};
        private final Inet.Tcp t = new Inet.Tcp();
        private long next = 1_000_000;
        private int last = 1000;

        Flow(int sourcePort, int destinationPort, String source, String destination) {
            t.sourcePort = sourcePort;
            t.destinationPort = destinationPort;
            t.source = source;
            t.destination = destination;
            t.df = true;
            t.options = Inet.timestamps(1000, 2000);
        }

        /**
         * @param step 0, 1: follows on; 2: skips 1000 bytes; 3: repeats the last segment's sequence number
         * @param variant bits: 1 other timestamps, 2 TOS, 4 TTL, 8 IP options, 16 MF fragment, 32 no DF, 64 window,
         *     128 ack
         */
        byte[] next(int flags, int length, int step, int variant) {
            Inet.Tcp s = t.copy();
            switch (step % 4) {
                case 2 -> next += 1000;
                case 3 -> next -= last;
                default -> { }
            }
            s.seq = next;
            s.flags = FLAGS[flags % FLAGS.length];
            s.payload = Arrays.copyOfRange(Inet.pattern(2000, (int) next), 0, length);
            s.id = (int) next;
            if ((variant & 1) != 0) {
                s.options = Inet.timestamps(1001, 2000);
            }
            if ((variant & 2) != 0) {
                s.tos = 0x10;
            }
            if ((variant & 4) != 0) {
                s.ttl = 63;
            }
            if ((variant & 8) != 0) {
                s.ipOptions = new byte[] {1, 1, 1, 0};
            }
            if ((variant & 16) != 0) {
                s.fragment = 0x2000;
            }
            if ((variant & 32) != 0) {
                s.df = false;
            }
            if ((variant & 64) != 0) {
                s.window = 501;
            }
            if ((variant & 128) != 0) {
                s.ack = t.ack + 1;
            }
            next += length;
            last = length;
            return s.build();
        }
    }

    /** Offers the packets in batches as UdpToTun does and checks each batch; returns a summary of the groups. */
    private static String coalesceAll(List<byte[]> packets, int maxPackets, int maxOpen, byte fill) {
        TcpCoalescer c = new TcpCoalescer(maxPackets, maxOpen);
        StringBuilder summary = new StringBuilder();
        int slots = Math.max(1, Math.min(maxPackets, packets.size()));
        Batch batch = new Batch(slots, fill);
        for (byte[] p : packets) {
            if (batch.add(c, p) == TcpCoalescer.FULL) {
                summary.append(batch.check(c)).append('|');
                c.reset();
                batch = new Batch(slots, fill);
                assertTrue(batch.add(c, p) >= 0, "a fresh batch refused a packet");
            }
        }
        return summary.append(batch.check(c)).toString();
    }

    /** One batch buffer: packet i in slot i at a varying offset, canary around. */
    private static final class Batch {
        private final CanaryBuffer canary;
        private final ByteBuffer buffer;
        private final List<byte[]> added = new ArrayList<>();
        private final List<Integer> groupOf = new ArrayList<>();

        Batch(int slots, byte fill) {
            canary = CanaryBuffer.area(slots * SLOT, fill);
            buffer = canary.buffer();
        }

        static int offset(int slot) {
            return slot * SLOT + HEADROOM + slot % 8;
        }

        /** Offers the next packet; FULL when the coalescer refuses it, which it must once the batch is full. */
        int add(TcpCoalescer c, byte[] p) {
            int slot = added.size();
            if (slot * SLOT >= buffer.capacity()) {
                assertEquals(TcpCoalescer.FULL, c.add(buffer, 0, 0, slot), "more packets than the batch holds");
                return TcpCoalescer.FULL;
            }
            buffer.put(offset(slot), p);
            int g = c.add(buffer, offset(slot), p.length, slot);
            assertTrue(g >= 0 && g < c.groups(), "group " + g + " of " + c.groups());
            added.add(p);
            groupOf.add(g);
            return g;
        }

        String check(TcpCoalescer c) {
            StringBuilder summary = new StringBuilder();
            Map<String, Integer> lastOfFlow = new HashMap<>();
            int members = 0;
            int previousFirst = -1;
            ByteBuffer expected = snapshot();
            for (int g = 0; g < c.groups(); g++) {
                int size = c.size(g);
                assertTrue(size >= 1 && size <= TcpCoalescer.MAX_SEGMENTS, "group size " + size);
                assertTrue(c.slot(g, 0) > previousFirst, "groups out of creation order");
                previousFirst = c.slot(g, 0);
                int previous = -1;
                for (int k = 0; k < size; k++) {
                    int slot = c.slot(g, k);
                    assertTrue(slot > previous, "members out of arrival order");
                    previous = slot;
                    assertEquals(g, groupOf.get(slot), "add said another group");
                    assertEquals(offset(slot), c.packetOffset(g, k));
                    assertEquals(added.get(slot).length, c.packetLength(g, k));
                    int po = c.payloadOffset(g, k);
                    int pl = c.payloadLength(g, k);
                    assertTrue(po >= offset(slot) && pl >= 0 && po + pl <= offset(slot) + added.get(slot).length,
                            "payload slice outside its packet");
                    String flow = flowKey(added.get(slot));
                    if (flow != null) {
                        Integer before = lastOfFlow.put(flow, slot);
                        assertTrue(before == null || before < slot, "flow " + flow + " reordered");
                    }
                    members++;
                }
                summary.append(size).append(size > 1 ? "+" : "").append(' ');
                if (size > 1) {
                    checkGroup(c, g, expected);
                } else {
                    assertEquals(added.get(c.slot(g, 0)).length, c.prepareFirst(g, buffer));
                    ByteBuffer vnet = ByteBuffer.allocate(VirtioNetHdr.LENGTH + 2);
                    vnet.put(VirtioNetHdr.LENGTH, (byte) 0x77);
                    c.writeVnetHeader(g, vnet, 0);
                    assertArrayEquals(new byte[VirtioNetHdr.LENGTH], Arrays.copyOf(vnet.array(), VirtioNetHdr.LENGTH));
                    assertEquals(0x77, vnet.get(VirtioNetHdr.LENGTH));
                }
            }
            assertEquals(added.size(), members, "every packet in exactly one group");
            int changed = Arrays.mismatch(expected.array(), canary.bytes(0, buffer.capacity()));
            assertEquals(-1, changed, "byte " + changed + " of the batch buffer changed");
            return summary.toString();
        }

        private ByteBuffer snapshot() {
            return ByteBuffer.wrap(canary.bytes(0, buffer.capacity()));
        }

        /** Checks group g (two or more) and records in {@code expected} the header bytes it may rewrite. */
        private void checkGroup(TcpCoalescer c, int g, ByteBuffer expected) {
            int size = c.size(g);
            byte[] first = added.get(c.slot(g, 0));
            int hl = c.headerLength(g);
            int firstPayload = first.length - hl;
            assertEquals(20, (first[0] & 0x0f) * 4, "IP options in a group");
            assertEquals(hl, 20 + ((first[32] & 0xf0) >>> 2));
            long seq = Inet.u32(first, 24);
            int total = hl;
            ByteArrayOutputStream payloads = new ByteArrayOutputStream();
            for (int k = 0; k < size; k++) {
                byte[] p = added.get(c.slot(g, k));
                int payload = Inet.u16(p, 2) - hl;
                assertEquals(payload, c.payloadLength(g, k));
                assertTrue(payload > 0 && (k == size - 1 ? payload <= firstPayload : payload == firstPayload),
                        "member " + k + " has " + payload + " bytes, the first " + firstPayload);
                assertEquals(seq, Inet.u32(p, 24), "member " + k + " does not follow on");
                assertTrue(Inet.ipValid(p), "member " + k + " has a bad IP checksum");
                assertEquals(0, Inet.u16(p, 6) & 0x3fff, "a fragment in a group");
                int flags = p[33] & 0xff;
                assertTrue(flags == Inet.ACK || flags == (Inet.ACK | Inet.PSH) && k == size - 1,
                        "member " + k + " has flags " + flags);
                for (int i = 0; i < hl; i++) {
                    // IP total length, id and checksum; TCP sequence number, flags (PSH), checksum, and the urgent
                    // pointer, meaningless without URG (Linux's GRO does not compare it either).
                    boolean mayDiffer = i == 2 || i == 3 || i == 4 || i == 5 || i == 10 || i == 11
                            || (i >= 24 && i < 28) || i == 33 || (i >= 36 && i < 40);
                    assertTrue(mayDiffer || p[i] == first[i], "member " + k + " header byte " + i + " differs");
                }
                payloads.writeBytes(Arrays.copyOfRange(p, hl, hl + payload));
                seq = (seq + payload) & 0xffffffffL;
                total += payload;
            }
            assertTrue(total <= TcpCoalescer.MAX_TOTAL);
            assertEquals(total, c.totalLength(g));
            int firstBytes = c.prepareFirst(g, buffer);
            assertEquals(hl + firstPayload, firstBytes);
            int off = c.packetOffset(g, 0);
            for (int i = 0; i < hl; i++) {
                expected.put(off + i, buffer.get(off + i));
            }
            byte[] written = Inet.bytes(buffer, off, firstBytes);
            for (int k = 1; k < size; k++) {
                written = Inet.concat(written, Inet.bytes(buffer, c.payloadOffset(g, k), c.payloadLength(g, k)));
            }
            assertEquals(total, written.length);
            ByteBuffer vnet = ByteBuffer.allocate(VirtioNetHdr.LENGTH);
            c.writeVnetHeader(g, vnet, 0);
            assertEquals(VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.flags(vnet, 0));
            assertEquals(VirtioNetHdr.GSO_TCPV4, VirtioNetHdr.gsoType(vnet, 0));
            assertEquals(hl, VirtioNetHdr.hdrLen(vnet, 0));
            assertEquals(firstPayload, VirtioNetHdr.gsoSize(vnet, 0));
            ByteBuffer superPacket = ByteBuffer.wrap(written);
            assertEquals(0, Segmenter.finishChecksum(superPacket, 0, written.length, VirtioNetHdr.csumStart(vnet, 0),
                    VirtioNetHdr.csumOffset(vnet, 0)));
            assertTrue(Inet.ipValid(written) && Inet.l4Valid(written), "the super-packet's checksums");
            assertArrayEquals(payloads.toByteArray(), Arrays.copyOfRange(written, hl, total));
            int[] headerLengths = new int[size];
            int[] payloadOffsets = new int[size];
            int[] payloadLengths = new int[size];
            ByteBuffer headers = ByteBuffer.allocate(size * Segmenter.HEADER_STRIDE);
            assertEquals(size, Segmenter.split(superPacket, 0, written.length, VirtioNetHdr.gsoType(vnet, 0),
                    VirtioNetHdr.gsoSize(vnet, 0), headers, 0, Segmenter.HEADER_STRIDE, headerLengths, payloadOffsets,
                    payloadLengths), "the kernel would cut it into other segments");
            for (int k = 0; k < size; k++) {
                byte[] p = added.get(c.slot(g, k));
                assertEquals(Inet.u32(p, 24), Integer.toUnsignedLong(headers.getInt(k * Segmenter.HEADER_STRIDE + 24)));
                assertArrayEquals(Arrays.copyOfRange(p, hl, Inet.u16(p, 2)), Arrays.copyOfRange(written,
                        payloadOffsets[k], payloadOffsets[k] + payloadLengths[k]), "member " + k + "'s payload");
            }
        }
    }

    /**
     * Source, destination and ports of a TCP packet as the data path offers them (one that passed
     * {@link Forwarding#inbound}'s checks, trimmed to its total length) whose ports can be read, else null: the
     * flows whose order must hold. Other bytes are offered too, and must only not break anything.
     */
    static String flowKey(byte[] p) {
        if (p.length < 20 || (p[0] & 0xf0) != 0x40 || p[9] != Checksums.PROTOCOL_TCP || Inet.u16(p, 2) != p.length) {
            return null;
        }
        int ihl = (p[0] & 0x0f) * 4;
        if (ihl < 20 || p.length < ihl + 4) {
            return null;
        }
        return Inet.u32(p, 12) + ">" + Inet.u32(p, 16) + ":" + Inet.u32(p, ihl);
    }
}
