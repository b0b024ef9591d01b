package io.weft.backend.udp;

import java.nio.ByteBuffer;

/**
 * The 10-byte {@code struct virtio_net_hdr} that a TUN device opened with {@code IFF_VNET_HDR} puts
 * before every packet (and expects before every packet written). Its 16-bit fields are in host order,
 * little-endian on the hosts weft supports (the device is not set to {@code TUNSETVNETBE}); they are read
 * and written byte by byte, so the buffer's own byte order does not matter and is never changed.
 * Stateless.
 */
final class VirtioNetHdr {
    static final int LENGTH = 10;

    static final int FLAG_NEEDS_CSUM = 1;
    static final int FLAG_DATA_VALID = 2;

    static final int GSO_NONE = 0;
    static final int GSO_TCPV4 = 1;
    static final int GSO_UDP = 3;
    static final int GSO_TCPV6 = 4;
    static final int GSO_UDP_L4 = 5;
    /** Or-ed into {@code gso_type}: the sender uses ECN, so CWR may only go on the first segment. */
    static final int GSO_ECN = 0x80;

    private VirtioNetHdr() {
    }

    static int flags(ByteBuffer b, int off) {
        return b.get(off) & 0xff;
    }

    /** The raw {@code gso_type}, with {@link #GSO_ECN} still in it. */
    static int gsoType(ByteBuffer b, int off) {
        return b.get(off + 1) & 0xff;
    }

    static int hdrLen(ByteBuffer b, int off) {
        return u16(b, off + 2);
    }

    static int gsoSize(ByteBuffer b, int off) {
        return u16(b, off + 4);
    }

    static int csumStart(ByteBuffer b, int off) {
        return u16(b, off + 6);
    }

    static int csumOffset(ByteBuffer b, int off) {
        return u16(b, off + 8);
    }

    static void write(ByteBuffer b, int off, int flags, int gsoType, int hdrLen, int gsoSize, int csumStart,
            int csumOffset) {
        b.put(off, (byte) flags);
        b.put(off + 1, (byte) gsoType);
        putU16(b, off + 2, hdrLen);
        putU16(b, off + 4, gsoSize);
        putU16(b, off + 6, csumStart);
        putU16(b, off + 8, csumOffset);
    }

    /** A header that asks nothing of the kernel: a complete packet with its checksums already right. */
    static void writeNone(ByteBuffer b, int off) {
        write(b, off, 0, GSO_NONE, 0, 0, 0, 0);
    }

    private static int u16(ByteBuffer b, int at) {
        return (b.get(at) & 0xff) | (b.get(at + 1) & 0xff) << 8;
    }

    private static void putU16(ByteBuffer b, int at, int value) {
        b.put(at, (byte) value);
        b.put(at + 1, (byte) (value >>> 8));
    }
}
