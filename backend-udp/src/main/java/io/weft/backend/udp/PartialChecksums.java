package io.weft.backend.udp;

import java.nio.ByteBuffer;

/**
 * Inner packets whose TCP or UDP checksum a sender left partial ({@link PacketTransform#partialChecksums}): the
 * checksum field holds the folded, not complemented, sum of the IPv4 pseudo-header, which is what the kernel's
 * {@code CHECKSUM_PARTIAL} leaves there and what {@link Segmenter} writes in its partial mode. A receiver tells
 * such a packet by that value alone: a complete checksum that happens to equal it needs the same treatment (a
 * device that finishes the checksum from that field computes the same complete one), so the test needs no flag on
 * the wire. With a TUN vnet header the packet goes in with {@code NEEDS_CSUM} and the kernel trusts it as it trusts
 * its own partial packets; without one, {@link #finish} completes it in place. Stateless and allocation-free.
 */
final class PartialChecksums {
    private static final int TCP_MIN_HEADER = 20;
    private static final int TCP_CHECKSUM = 16;
    private static final int UDP_HEADER = 8;
    private static final int UDP_CHECKSUM = 6;

    private PartialChecksums() {
    }

    /**
     * Where the checksum field of the IPv4 packet at {@code b[off, off+len)} lies, from {@code off}, when the
     * packet is an unfragmented TCP or UDP packet whose field holds the partial value; -1 otherwise (a complete
     * checksum, another protocol, a fragment, a malformed header). Reads nothing outside the packet.
     */
    static int fieldAt(ByteBuffer b, int off, int len) {
        if (len < Ipv4Packet.MIN_HEADER || Ipv4Packet.version(b, off) != 4) {
            return -1;
        }
        int ihl = Ipv4Packet.headerLength(b, off);
        int total = Ipv4Packet.totalLength(b, off);
        if (ihl < Ipv4Packet.MIN_HEADER || total > len || total < ihl || (b.getShort(off + 6) & 0x3fff) != 0) {
            return -1;
        }
        int protocol = Ipv4Packet.protocol(b, off);
        int at;
        if (protocol == Checksums.PROTOCOL_TCP && total - ihl >= TCP_MIN_HEADER) {
            at = ihl + TCP_CHECKSUM;
        } else if (protocol == Checksums.PROTOCOL_UDP && total - ihl >= UDP_HEADER) {
            at = ihl + UDP_CHECKSUM;
        } else {
            return -1;
        }
        long pseudo = Checksums.pseudoHeader(Ipv4Packet.source(b, off), Ipv4Packet.destination(b, off), protocol,
                total - ihl);
        return (b.getShort(off + at) & 0xffff) == Checksums.fold(pseudo) ? at : -1;
    }

    /**
     * Writes the vnet header for the packet at {@code b[off, off+len)} alone: {@code NEEDS_CSUM} with its checksum
     * range when {@link #fieldAt} finds a partial field, a zero header otherwise.
     */
    static void writeVnetHeader(ByteBuffer b, int off, int len, ByteBuffer out, int outOff) {
        int at = fieldAt(b, off, len);
        if (at < 0) {
            VirtioNetHdr.writeNone(out, outOff);
            return;
        }
        int ihl = Ipv4Packet.headerLength(b, off);
        VirtioNetHdr.write(out, outOff, VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.GSO_NONE, at + 2, 0, ihl, at - ihl);
    }

    /**
     * Completes a partial checksum in place (for a device without a vnet header), as the kernel would.
     *
     * @return whether the packet had a partial field
     */
    static boolean finish(ByteBuffer b, int off, int len) {
        int at = fieldAt(b, off, len);
        if (at < 0) {
            return false;
        }
        int ihl = Ipv4Packet.headerLength(b, off);
        Segmenter.finishChecksum(b, off, Ipv4Packet.totalLength(b, off), ihl, at - ihl);
        return true;
    }
}
