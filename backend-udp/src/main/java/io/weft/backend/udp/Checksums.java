package io.weft.backend.udp;

import java.nio.ByteBuffer;

/**
 * The Internet checksum (RFC 1071) in pieces, so a checksum can be summed over several ranges (a
 * pseudo-header, a header in one buffer, a payload in another) and finished once. A sum is an unfolded
 * {@code long} of 16-bit big-endian words; sums add with {@code +}, and {@link #fold} brings one back to
 * 16 bits. Ranges must start at an even position of the checksummed data, except that the last may have
 * an odd length. Buffers must be big-endian. Stateless, allocation-free.
 */
final class Checksums {
    static final int PROTOCOL_TCP = 6;
    static final int PROTOCOL_UDP = 17;

    private Checksums() {
    }

    /**
     * The unfolded sum of {@code length} bytes at {@code off}, an odd last byte padded with zero. It adds
     * 32-bit words, which folds to the same 16-bit sum (2^16 is 1 in ones' complement arithmetic); 64 KB
     * of words stays far below 2^63.
     */
    static long sum(ByteBuffer b, int off, int length) {
        long sum = 0;
        int end = off + length;
        int i = off;
        // Eight bytes a load, added as their two 32-bit halves: half the loads of an int loop (measured
        // about 1.5x faster on this JIT); the long cannot overflow below 2^31 bytes.
        for (; i + 7 < end; i += 8) {
            long v = b.getLong(i);
            sum += (v >>> 32) + (v & 0xffffffffL);
        }
        for (; i + 3 < end; i += 4) {
            sum += b.getInt(i) & 0xffffffffL;
        }
        if (i + 1 < end) {
            sum += b.getShort(i) & 0xffff;
            i += 2;
        }
        if (i < end) {
            sum += (b.get(i) & 0xff) << 8;
        }
        return sum;
    }

    /** The sum folded to 16 bits, not complemented (what a CHECKSUM_PARTIAL field holds). */
    static int fold(long sum) {
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) sum;
    }

    /** The checksum to store: the folded sum, complemented. */
    static int finish(long sum) {
        return ~fold(sum) & 0xffff;
    }

    /** The checksum of {@code length} bytes at {@code off}, ready to store; 0 when verifying a valid range. */
    static int checksum(ByteBuffer b, int off, int length) {
        return finish(sum(b, off, length));
    }

    /** The unfolded sum of the IPv4 pseudo-header: addresses, protocol and the L4 (header + payload) length. */
    static long pseudoHeader(int source, int destination, int protocol, int l4Length) {
        return (source >>> 16) + (source & 0xffff) + (destination >>> 16) + (destination & 0xffff)
                + protocol + l4Length;
    }

    /** Recomputes the IPv4 header checksum at {@code off} over the header length its IHL gives. */
    static void setIpv4HeaderChecksum(ByteBuffer b, int off) {
        int headerLength = (b.get(off) & 0x0f) << 2;
        b.putShort(off + 10, (short) 0);
        b.putShort(off + 10, (short) checksum(b, off, headerLength));
    }
}
