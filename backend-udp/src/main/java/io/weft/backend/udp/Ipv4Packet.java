package io.weft.backend.udp;

import java.nio.ByteBuffer;

/**
 * Reads and edits IPv4 headers in place, at an absolute offset of a big-endian buffer, allocation-free.
 * Callers check {@link #MIN_HEADER} bytes are present before reading fields. Stateless.
 */
final class Ipv4Packet {
    static final int MIN_HEADER = 20;
    static final int PROTOCOL_ICMP = 1;

    private Ipv4Packet() {
    }

    static int version(ByteBuffer b, int off) {
        return (b.get(off) & 0xff) >>> 4;
    }

    /** The header length in bytes (IHL × 4). */
    static int headerLength(ByteBuffer b, int off) {
        return (b.get(off) & 0x0f) << 2;
    }

    static int totalLength(ByteBuffer b, int off) {
        return b.getShort(off + 2) & 0xffff;
    }

    /** The fragment offset in 8-byte units; non-zero for every fragment but the first. */
    static int fragmentOffset(ByteBuffer b, int off) {
        return b.getShort(off + 6) & 0x1fff;
    }

    static int ttl(ByteBuffer b, int off) {
        return b.get(off + 8) & 0xff;
    }

    static int protocol(ByteBuffer b, int off) {
        return b.get(off + 9) & 0xff;
    }

    static int headerChecksum(ByteBuffer b, int off) {
        return b.getShort(off + 10) & 0xffff;
    }

    static int source(ByteBuffer b, int off) {
        return b.getInt(off + 12);
    }

    static int destination(ByteBuffer b, int off) {
        return b.getInt(off + 16);
    }

    /**
     * Decrements the TTL and patches the header checksum incrementally (RFC 1624, eqn. 3:
     * {@code HC' = ~(~HC + ~m + m')}, with m the 16-bit word holding TTL and protocol).
     * The caller has checked that the TTL is above 1.
     */
    static void decrementTtl(ByteBuffer b, int off) {
        int oldWord = b.getShort(off + 8) & 0xffff;
        int newWord = oldWord - 0x0100;
        b.put(off + 8, (byte) (newWord >>> 8));
        int sum = (~headerChecksum(b, off) & 0xffff) + (~oldWord & 0xffff) + newWord;
        sum = (sum & 0xffff) + (sum >>> 16);
        sum = (sum & 0xffff) + (sum >>> 16);
        b.putShort(off + 10, (short) ~sum);
    }

    /** The Internet checksum (RFC 1071) of {@code length} bytes at {@code off}, ready to store. */
    static int checksum(ByteBuffer b, int off, int length) {
        long sum = 0;
        int i = 0;
        for (; i + 1 < length; i += 2) {
            sum += b.getShort(off + i) & 0xffff;
        }
        if (i < length) {
            sum += (b.get(off + i) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    /** True for 0.0.0.0/8, 224.0.0.0/4 (multicast), 240.0.0.0/4 and 255.255.255.255: no ICMP error goes there. */
    static boolean isSpecial(int address) {
        int first = address >>> 24;
        return first == 0 || first >= 224;
    }
}
