package io.weft.backend.udp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A batch of packet slots in one direct buffer, reused for every batch a forwarding thread handles, so the
 * steady state allocates nothing. Each slot starts with {@link #HEADROOM} free bytes, so a layer that
 * wraps packets (e.g. ESP) can prepend its header in place; the packet itself starts at
 * {@link #offset(int)}. Slots hold up to {@link #MAX_PACKET} bytes, the largest IPv4 packet, so no read
 * or datagram is ever truncated. Per slot it also keeps a {@code sockaddr_in} and its length word for
 * {@code recvfrom}, and an int of per-packet metadata (the source address or the route index).
 *
 * <p>The batch shape (fill many, then handle many) is what {@code recvmmsg}/{@code sendmmsg} and TUN/UDP
 * segmentation offloads need, so they can replace the per-packet calls in {@link UdpSocket} and
 * {@link TunDevice} users without reshaping the forwarding code. Not thread-safe: owned by one thread.
 */
final class PacketBatch {
    static final int HEADROOM = 64;
    static final int MAX_PACKET = 65535;
    private static final int SLOT = HEADROOM + MAX_PACKET + 1;
    private static final int NAME = 16;
    private static final int NAME_SLOT = 32;
    private static final int NAME_LENGTH = 16;

    private final ByteBuffer data;
    private final ByteBuffer names;
    private final long dataAddress;
    private final long namesAddress;
    private final int[] lengths;
    private final int[] meta;
    private int count;

    PacketBatch(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " < 1");
        }
        data = ByteBuffer.allocateDirect(capacity * SLOT).order(ByteOrder.BIG_ENDIAN);
        names = ByteBuffer.allocateDirect(capacity * NAME_SLOT).order(ByteOrder.nativeOrder());
        dataAddress = Syscalls.address(data);
        namesAddress = Syscalls.address(names);
        lengths = new int[capacity];
        meta = new int[capacity];
    }

    int capacity() {
        return lengths.length;
    }

    /** The whole data buffer, big-endian, for absolute reads and writes at {@link #offset(int)}. */
    ByteBuffer data() {
        return data;
    }

    /** Where slot {@code i}'s packet starts in {@link #data()}. */
    int offset(int i) {
        return i * SLOT + HEADROOM;
    }

    /** The native address of slot {@code i}'s packet. */
    long address(int i) {
        return dataAddress + offset(i);
    }

    /** The native address of slot {@code i}'s {@code sockaddr_in}. */
    long nameAddress(int i) {
        return namesAddress + (long) i * NAME_SLOT;
    }

    /** The native address of slot {@code i}'s {@code socklen_t}, set to 16 by {@link #resetNameLength}. */
    long nameLengthAddress(int i) {
        return namesAddress + (long) i * NAME_SLOT + NAME_LENGTH;
    }

    void resetNameLength(int i) {
        names.putInt(i * NAME_SLOT + NAME_LENGTH, NAME);
    }

    /** The IPv4 source address recvfrom wrote for slot {@code i}, or 0 if it was not an IPv4 address. */
    int sourceAddress(int i) {
        int base = i * NAME_SLOT;
        if (names.getShort(base) != LibC.AF_INET) {
            return 0;
        }
        int at = base + 4;
        return ((names.get(at) & 0xff) << 24) | ((names.get(at + 1) & 0xff) << 16) | ((names.get(at + 2) & 0xff) << 8)
                | (names.get(at + 3) & 0xff);
    }

    /** Writes an IPv4 {@code sockaddr_in} for slot {@code i}, as recvfrom would; for tests. */
    void sourceAddress(int i, int address) {
        int base = i * NAME_SLOT;
        names.putShort(base, (short) LibC.AF_INET);
        for (int b = 0; b < 4; b++) {
            names.put(base + 4 + b, (byte) (address >>> (24 - 8 * b)));
        }
    }

    int length(int i) {
        return lengths[i];
    }

    void length(int i, int length) {
        lengths[i] = length;
    }

    int meta(int i) {
        return meta[i];
    }

    void meta(int i, int value) {
        meta[i] = value;
    }

    int count() {
        return count;
    }

    void count(int count) {
        this.count = count;
    }
}
