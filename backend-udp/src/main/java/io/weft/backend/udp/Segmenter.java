package io.weft.backend.udp;

import java.nio.ByteBuffer;

/**
 * Cuts a TSO/USO super-packet read from a TUN device with {@code IFF_VNET_HDR} into MTU-sized IPv4
 * segments without copying the payload: each segment's IPv4 and L4 headers are written into a header
 * area the caller owns (one fixed stride per segment), and the segment's payload stays where it was read,
 * named by an (offset, length) slice of the original buffer. The caller sends each segment as two
 * iovecs, header and payload. It also finishes the checksum of a non-GSO packet that the kernel left
 * partial ({@code VIRTIO_NET_HDR_F_NEEDS_CSUM}).
 *
 * <p>Everything about the super-packet is read from the packet itself (IHL, TCP data offset, total
 * length); the vnet header's {@code hdr_len} is not trusted. A malformed super-packet yields one of the
 * negative results below and nothing is read outside {@code [off, off+len)}; the caller drops it. The
 * per-segment rules follow the kernel's {@code inet_gso_segment}, {@code tcp_gso_segment} and
 * {@code __udp_gso_segment}. Stateless and allocation-free.
 */
final class Segmenter {
    /** Bytes of header area per segment that always suffice: IPv4 with options (60) + TCP with options (60). */
    static final int HEADER_STRIDE = 128;
    /** The kernel's {@code UDP_MAX_SEGMENTS}: segments one UDP GSO send may carry. */
    static final int MAX_SEGMENTS_PER_SEND = 64;
    /** The largest UDP payload in IPv4 (65,535 - 20 - 8): all segments of one UDP GSO send together. */
    static final int MAX_BYTES_PER_SEND = 65_507;

    static final int NOT_IPV4 = -1;
    static final int BAD_HEADER_LENGTH = -2;
    static final int BAD_LENGTH = -3;
    /** A GSO type other than TCPV4 and UDP_L4, a protocol that does not match it, or an IP fragment. */
    static final int UNSUPPORTED = -4;
    static final int BAD_GSO_SIZE = -5;
    static final int TOO_MANY_SEGMENTS = -6;
    static final int HEADER_AREA_TOO_SMALL = -7;

    private static final int TCP_FIN = 0x01;
    private static final int TCP_PSH = 0x08;
    private static final int TCP_CWR = 0x80;
    private static final int TCP_CHECKSUM = 16;
    private static final int UDP_HEADER = 8;
    private static final int UDP_CHECKSUM = 6;

    private Segmenter() {
    }

    /**
     * Splits the super-packet at {@code b[off, off+len)} (the inner IPv4 packet, after the vnet header).
     *
     * @param gsoType the vnet header's {@code gso_type}; {@link VirtioNetHdr#GSO_ECN} is ignored
     * @param gsoSize the vnet header's {@code gso_size}: payload bytes per segment
     * @param headers where segment i's headers go, at {@code headersOff + i * stride}
     * @param headerLengths receives each segment's header length (IPv4 + L4)
     * @param payloadOffsets receives each segment's payload offset in {@code b}
     * @param payloadLengths receives each segment's payload length
     * @return the number of segments, or a negative constant of this class: {@link #TOO_MANY_SEGMENTS} when
     *     they would not fit the arrays or the header area, {@link #HEADER_AREA_TOO_SMALL} when the stride
     *     is shorter than the headers
     */
    static int split(ByteBuffer b, int off, int len, int gsoType, int gsoSize, ByteBuffer headers, int headersOff,
            int stride, int[] headerLengths, int[] payloadOffsets, int[] payloadLengths) {
        return split(b, off, len, gsoType, gsoSize, headers, headersOff, stride, headerLengths, payloadOffsets,
                payloadLengths, false);
    }

    /**
     * {@link #split} that may leave each segment's L4 checksum partial: with {@code partial}, the checksum field
     * holds the folded, not complemented, pseudo-header sum (what the kernel's CHECKSUM_PARTIAL leaves there,
     * {@link PartialChecksums}), and no byte of the segment's L4 header or payload is summed. Only for a receiver
     * that finishes or trusts such a checksum ({@link PacketTransform#partialChecksums}).
     */
    static int split(ByteBuffer b, int off, int len, int gsoType, int gsoSize, ByteBuffer headers, int headersOff,
            int stride, int[] headerLengths, int[] payloadOffsets, int[] payloadLengths, boolean partial) {
        if (len < Ipv4Packet.MIN_HEADER || off < 0 || len > b.limit() - off) {
            return BAD_LENGTH;
        }
        if (Ipv4Packet.version(b, off) != 4) {
            return NOT_IPV4;
        }
        int ipHeader = Ipv4Packet.headerLength(b, off);
        if (ipHeader < Ipv4Packet.MIN_HEADER || ipHeader > len) {
            return BAD_HEADER_LENGTH;
        }
        int total = Ipv4Packet.totalLength(b, off);
        if (total < ipHeader || total > len) {
            return BAD_LENGTH;
        }
        if ((b.getShort(off + 6) & 0x3fff) != 0) { // MF or a fragment offset; DF is fine
            return UNSUPPORTED;
        }
        int type = gsoType & ~VirtioNetHdr.GSO_ECN;
        int protocol = Ipv4Packet.protocol(b, off);
        boolean tcp;
        if (type == VirtioNetHdr.GSO_TCPV4 && protocol == Checksums.PROTOCOL_TCP) {
            tcp = true;
        } else if (type == VirtioNetHdr.GSO_UDP_L4 && protocol == Checksums.PROTOCOL_UDP) {
            tcp = false;
        } else {
            return UNSUPPORTED;
        }
        int l4 = off + ipHeader;
        int l4Header;
        if (tcp) {
            if (total - ipHeader < 20) {
                return BAD_LENGTH;
            }
            l4Header = (b.get(l4 + 12) & 0xf0) >>> 2;
            if (l4Header < 20 || l4Header > total - ipHeader) {
                return BAD_HEADER_LENGTH;
            }
        } else {
            l4Header = UDP_HEADER;
            if (total - ipHeader < UDP_HEADER) {
                return BAD_LENGTH;
            }
            if ((b.getShort(l4 + 4) & 0xffff) != total - ipHeader) {
                return BAD_LENGTH;
            }
        }
        if (gsoSize <= 0) {
            return BAD_GSO_SIZE;
        }
        int headerLength = ipHeader + l4Header;
        int payload = total - headerLength;
        int count = payload == 0 ? 1 : (payload + gsoSize - 1) / gsoSize;
        if (stride < headerLength) {
            return HEADER_AREA_TOO_SMALL;
        }
        int room = headersOff < 0 ? 0 : Math.max(0, (headers.limit() - headersOff) / stride);
        int capacity = Math.min(room, Math.min(headerLengths.length, Math.min(payloadOffsets.length,
                payloadLengths.length)));
        if (count > capacity) {
            return TOO_MANY_SEGMENTS;
        }

        int source = Ipv4Packet.source(b, off);
        int destination = Ipv4Packet.destination(b, off);
        int id = b.getShort(off + 4) & 0xffff;
        int seq = tcp ? b.getInt(l4 + 4) : 0;
        int tcpFlags = tcp ? b.get(l4 + 13) & 0xff : 0;
        int payloadAt = off + headerLength;
        for (int i = 0; i < count; i++) {
            int h = headersOff + i * stride;
            int chunk = Math.min(gsoSize, payload - i * gsoSize);
            headers.put(h, b, off, headerLength);
            headers.putShort(h + 2, (short) (headerLength + chunk));
            headers.putShort(h + 4, (short) (id + i));
            Checksums.setIpv4HeaderChecksum(headers, h);
            int th = h + ipHeader;
            int checksumAt;
            if (tcp) {
                headers.putInt(th + 4, seq + i * gsoSize);
                int flags = tcpFlags;
                if (i != count - 1) {
                    flags &= ~(TCP_FIN | TCP_PSH);
                }
                if (i != 0) {
                    flags &= ~TCP_CWR;
                }
                headers.put(th + 13, (byte) flags);
                checksumAt = th + TCP_CHECKSUM;
            } else {
                headers.putShort(th + 4, (short) (UDP_HEADER + chunk));
                checksumAt = th + UDP_CHECKSUM;
            }
            long pseudo = Checksums.pseudoHeader(source, destination, protocol, l4Header + chunk);
            if (partial) {
                headers.putShort(checksumAt, (short) Checksums.fold(pseudo));
            } else {
                headers.putShort(checksumAt, (short) 0);
                int checksum = Checksums.finish(pseudo + Checksums.sum(headers, th, l4Header)
                        + Checksums.sum(b, payloadAt, chunk));
                headers.putShort(checksumAt, (short) (checksum == 0 && !tcp ? 0xffff : checksum));
            }
            headerLengths[i] = headerLength;
            payloadOffsets[i] = payloadAt;
            payloadLengths[i] = chunk;
            payloadAt += chunk;
        }
        return count;
    }

    /**
     * Completes the checksum of a non-GSO packet whose vnet header has {@code NEEDS_CSUM}: the kernel put
     * the pseudo-header sum in the checksum field, so the checksum is the complemented sum of
     * {@code [csumStart, len)}, stored at {@code csumStart + csumOffset} (both relative to {@code off}). A
     * result of 0 is stored as 0xFFFF, as the kernel's {@code skb_checksum_help} does (UDP reads 0 as "no
     * checksum"; for TCP the two are the same value).
     *
     * @return 0, or {@link #BAD_LENGTH} when the offsets do not fit the packet (nothing is written)
     */
    static int finishChecksum(ByteBuffer b, int off, int len, int csumStart, int csumOffset) {
        if (off < 0 || len < 0 || len > b.limit() - off || csumStart < 0 || csumOffset < 0
                || csumStart > len - 2 || csumOffset > len - 2 - csumStart) {
            return BAD_LENGTH;
        }
        int checksum = Checksums.checksum(b, off + csumStart, len - csumStart);
        b.putShort(off + csumStart + csumOffset, (short) (checksum == 0 ? 0xffff : checksum));
        return 0;
    }

    /**
     * How many segments of {@code segmentBytes} (each one inner IPv4 packet, so one UDP payload) one UDP
     * GSO send may carry: at most {@value #MAX_SEGMENTS_PER_SEND} and {@value #MAX_BYTES_PER_SEND} bytes.
     * A 64 KB TSO packet cut at a 1,500-byte MTU is 45 segments, of which 43 fit: two sends.
     *
     * @return 0 when {@code segmentBytes} is not positive or exceeds one send
     */
    static int segmentsPerSend(int segmentBytes) {
        if (segmentBytes <= 0) {
            return 0;
        }
        return Math.min(MAX_SEGMENTS_PER_SEND, MAX_BYTES_PER_SEND / segmentBytes);
    }
}
