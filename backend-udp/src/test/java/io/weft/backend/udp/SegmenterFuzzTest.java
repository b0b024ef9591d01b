package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.core.testing.FuzzInput;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Fuzz target for the send side's offload code: what a TUN device with {@code IFF_VNET_HDR} hands weft, a
 * {@link VirtioNetHdr} and a packet, goes through {@link Segmenter#finishChecksum} or {@link Segmenter#split}
 * as {@code TunToUdp} sends it. Seeds: {@code SegmenterFuzzTestInputs/}, written by {@link FuzzSeeds}.
 */
class SegmenterFuzzTest {
    private static final int STRIDE = Segmenter.HEADER_STRIDE;
    private static final int SEGMENTS = TunToUdp.MAX_SEGMENTS;

    /**
     * Properties, for any vnet header and packet: the header's fields read as the little-endian struct says;
     * nothing throws; the packet is read only within its bounds. A NEEDS_CSUM packet without GSO gets its
     * checksum finished (only the two checksum bytes change, to the complemented sum of the bytes from
     * csum_start, 0xFFFF for 0) or is refused as {@code BAD_LENGTH} exactly when the offsets do not fit,
     * unchanged. A GSO packet is split exactly when the reference checks pass (else the reference's error),
     * into segments of gso_size payload bytes (the last may be shorter) whose payloads, read in place, are the
     * packet's payload in order, and whose headers, written only into their own slots of the header area, make
     * valid IPv4 + TCP/UDP packets (IP and L4 checksums, lengths, IP ids counting up, TCP sequence numbers
     * following, FIN/PSH only on the last segment and CWR only on the first). A split never changes the packet.
     *
     * <p>Input: the 10-byte vnet header, offset selector, header area selector (its offset, and how many
     * segment slots it has), then the packet.
     */
    @FuzzTest
    void segment(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        byte[] vnet = Arrays.copyOf(in.bytes(VirtioNetHdr.LENGTH), VirtioNetHdr.LENGTH);
        int off = VirtioNetHdr.LENGTH + ForwardingFuzzTest.offset(in.u8());
        int headersOff = 1 + in.u8() % 64;
        int slots = 1 + in.u16() % SEGMENTS;
        byte[] packet = in.rest();
        String a = segmentOnce(vnet, packet, off, headersOff, slots, CanaryBuffer.FILL_A);
        String b = segmentOnce(vnet, packet, off, headersOff, slots, CanaryBuffer.FILL_B);
        assertEquals(a, b, "the result depends on bytes outside the packet");
    }

    private static String segmentOnce(byte[] vnet, byte[] packet, int off, int headersOff, int slots, byte fill) {
        byte[] withHeader = new byte[vnet.length + packet.length];
        System.arraycopy(vnet, 0, withHeader, 0, vnet.length);
        System.arraycopy(packet, 0, withHeader, vnet.length, packet.length);
        CanaryBuffer b = new CanaryBuffer(withHeader, off - VirtioNetHdr.LENGTH, 64, fill);
        ByteBuffer view = b.view();
        int at = off - VirtioNetHdr.LENGTH;
        assertEquals(vnet[0] & 0xff, VirtioNetHdr.flags(view, at));
        assertEquals(vnet[1] & 0xff, VirtioNetHdr.gsoType(view, at));
        assertEquals(le16(vnet, 2), VirtioNetHdr.hdrLen(view, at));
        assertEquals(le16(vnet, 4), VirtioNetHdr.gsoSize(view, at));
        assertEquals(le16(vnet, 6), VirtioNetHdr.csumStart(view, at));
        assertEquals(le16(vnet, 8), VirtioNetHdr.csumOffset(view, at));
        int gsoType = VirtioNetHdr.gsoType(view, at) & ~VirtioNetHdr.GSO_ECN;
        if (gsoType == VirtioNetHdr.GSO_NONE) {
            if ((VirtioNetHdr.flags(view, at) & VirtioNetHdr.FLAG_NEEDS_CSUM) == 0) {
                return "none";
            }
            return finish(b, view, off, packet, VirtioNetHdr.csumStart(view, at), VirtioNetHdr.csumOffset(view, at));
        }
        return split(b, view, off, packet, VirtioNetHdr.gsoType(view, at), VirtioNetHdr.gsoSize(view, at), headersOff,
                slots, fill);
    }

    private static String finish(CanaryBuffer b, ByteBuffer view, int off, byte[] packet, int start, int offset) {
        int r = Segmenter.finishChecksum(view, off, packet.length, start, offset);
        b.assertCanaryIntactOutside(off - VirtioNetHdr.LENGTH, VirtioNetHdr.LENGTH + packet.length);
        byte[] after = Inet.bytes(b.buffer(), off, packet.length);
        boolean fits = start <= packet.length - 2 && offset <= packet.length - 2 - start;
        if (!fits) {
            assertEquals(Segmenter.BAD_LENGTH, r);
            assertArrayEquals(packet, after, "a refused packet changed");
            return "refused";
        }
        assertEquals(0, r);
        int field = start + offset;
        byte[] expected = packet.clone();
        expected[field] = after[field];
        expected[field + 1] = after[field + 1];
        assertArrayEquals(expected, after, "finishChecksum changed more than the checksum field");
        int checksum = Inet.naiveChecksum(packet, start, packet.length);
        assertEquals(checksum == 0 ? 0xffff : checksum, Inet.u16(after, field),
                "not the complemented sum of the bytes from csum_start");
        return "finished " + Inet.u16(after, field);
    }

    private static String split(CanaryBuffer b, ByteBuffer view, int off, byte[] packet, int gsoType, int gsoSize,
            int headersOff, int slots, byte fill) {
        CanaryBuffer area = CanaryBuffer.area(headersOff + slots * STRIDE + 64, fill);
        int[] headerLengths = new int[SEGMENTS];
        int[] payloadOffsets = new int[SEGMENTS];
        int[] payloadLengths = new int[SEGMENTS];
        int count = Segmenter.split(view, off, packet.length, gsoType, gsoSize, area.view(headersOff + slots * STRIDE),
                headersOff, STRIDE, headerLengths, payloadOffsets, payloadLengths);
        b.assertCanaryIntactOutside(off - VirtioNetHdr.LENGTH, VirtioNetHdr.LENGTH + packet.length);
        assertArrayEquals(packet, Inet.bytes(b.buffer(), off, packet.length), "split changed the packet");
        assertEquals(reference(packet, gsoType, gsoSize, slots), count);
        if (count < 0) {
            area.assertCanaryIntactOutside(0, 0);
            return "error " + count;
        }
        int ihl = (packet[0] & 0x0f) * 4;
        int hl = headerLengths[0];
        int total = Inet.u16(packet, 2);
        int payload = total - hl;
        boolean tcp = packet[9] == Checksums.PROTOCOL_TCP;
        assertEquals(ihl + (tcp ? (packet[ihl + 12] & 0xf0) >>> 2 : 8), hl);
        area.assertCanaryIntactOutsideSlots(headersOff, STRIDE, count, hl);
        ByteArrayOutputStream payloads = new ByteArrayOutputStream();
        StringBuilder summary = new StringBuilder("split " + count);
        for (int i = 0; i < count; i++) {
            assertEquals(hl, headerLengths[i]);
            int chunk = payloadLengths[i];
            assertEquals(i < count - 1 ? gsoSize : payload - (count - 1) * gsoSize, chunk, "segment " + i + " size");
            assertEquals(off + hl + i * gsoSize, payloadOffsets[i], "segment " + i + " payload offset");
            byte[] body = Inet.bytes(b.buffer(), payloadOffsets[i], chunk);
            payloads.writeBytes(body);
            byte[] segment = Inet.concat(Inet.bytes(area.buffer(), headersOff + i * STRIDE, hl), body);
            checkSegment(packet, segment, i, count, gsoSize, tcp);
            summary.append(' ').append(Inet.u16(segment, 10)).append('/').append(Inet.u16(segment, ihl + (tcp ? 16 : 6)));
        }
        assertArrayEquals(Arrays.copyOfRange(packet, hl, total), payloads.toByteArray(), "the payloads in order");
        return summary.toString();
    }

    private static void checkSegment(byte[] packet, byte[] s, int i, int count, int gsoSize, boolean tcp) {
        int ihl = (packet[0] & 0x0f) * 4;
        assertEquals(s.length, Inet.u16(s, 2), "segment " + i + " total length");
        assertEquals((Inet.u16(packet, 4) + i) & 0xffff, Inet.u16(s, 4), "segment " + i + " IP id");
        assertTrue(Inet.ipValid(s), "segment " + i + " IP checksum");
        assertTrue(Inet.l4Valid(s), "segment " + i + " L4 checksum");
        for (int k = 0; k < ihl; k++) {
            if (k != 2 && k != 3 && k != 4 && k != 5 && k != 10 && k != 11) {
                assertEquals(packet[k], s[k], "segment " + i + " IP header byte " + k);
            }
        }
        if (tcp) {
            assertEquals((Inet.u32(packet, ihl + 4) + (long) i * gsoSize) & 0xffffffffL, Inet.u32(s, ihl + 4),
                    "segment " + i + " sequence number");
            int flags = packet[ihl + 13] & 0xff;
            if (i != count - 1) {
                flags &= ~(Inet.FIN | Inet.PSH);
            }
            if (i != 0) {
                flags &= ~Inet.CWR;
            }
            assertEquals(flags, s[ihl + 13] & 0xff, "segment " + i + " TCP flags");
        } else {
            assertEquals(s.length - ihl, Inet.u16(s, ihl + 4), "segment " + i + " UDP length");
        }
    }

    /** What {@link Segmenter#split} must return, worked out on the byte array in the documented order. */
    static int reference(byte[] p, int gsoType, int gsoSize, int slots) {
        if (p.length < 20) {
            return Segmenter.BAD_LENGTH;
        }
        if ((p[0] & 0xf0) != 0x40) {
            return Segmenter.NOT_IPV4;
        }
        int ihl = (p[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > p.length) {
            return Segmenter.BAD_HEADER_LENGTH;
        }
        int total = Inet.u16(p, 2);
        if (total < ihl || total > p.length) {
            return Segmenter.BAD_LENGTH;
        }
        if ((Inet.u16(p, 6) & 0x3fff) != 0) {
            return Segmenter.UNSUPPORTED;
        }
        int type = gsoType & ~VirtioNetHdr.GSO_ECN;
        boolean tcp = type == VirtioNetHdr.GSO_TCPV4 && p[9] == Checksums.PROTOCOL_TCP;
        boolean udp = type == VirtioNetHdr.GSO_UDP_L4 && p[9] == Checksums.PROTOCOL_UDP;
        if (!tcp && !udp) {
            return Segmenter.UNSUPPORTED;
        }
        int l4;
        if (tcp) {
            if (total - ihl < 20) {
                return Segmenter.BAD_LENGTH;
            }
            l4 = (p[ihl + 12] & 0xf0) >>> 2;
            if (l4 < 20 || l4 > total - ihl) {
                return Segmenter.BAD_HEADER_LENGTH;
            }
        } else {
            l4 = 8;
            if (total - ihl < 8 || Inet.u16(p, ihl + 4) != total - ihl) {
                return Segmenter.BAD_LENGTH;
            }
        }
        if (gsoSize <= 0) {
            return Segmenter.BAD_GSO_SIZE;
        }
        int payload = total - ihl - l4;
        int count = payload == 0 ? 1 : (payload + gsoSize - 1) / gsoSize;
        if (STRIDE < ihl + l4) {
            return Segmenter.HEADER_AREA_TOO_SMALL;
        }
        return count > Math.min(slots, SEGMENTS) ? Segmenter.TOO_MANY_SEGMENTS : count;
    }

    private static int le16(byte[] b, int at) {
        return (b[at] & 0xff) | (b[at + 1] & 0xff) << 8;
    }
}
