package io.weft.backend.udp;

import io.weft.linux.LibC;
import io.weft.linux.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A batch of packet slots in one direct buffer, reused for every batch a forwarding thread handles, so the
 * steady state allocates nothing. Each slot starts with {@link #HEADROOM} free bytes, so a layer that
 * wraps packets (e.g. ESP) can prepend its header in place; the packet itself starts at
 * {@link #offset(int)}. Slots hold up to {@link #MAX_PACKET} bytes, the largest IPv4 packet, so no read
 * or datagram is ever truncated. It also holds a {@code struct mmsghdr} vector with one {@code iovec}
 * and one {@code sockaddr_in} per slot, so a whole batch moves through the UDP socket in one
 * {@code recvmmsg} or {@code sendmmsg} call, and an int of per-packet metadata (the route decision).
 *
 * <p>With UDP GRO, each receive slot also gets a control-message buffer for the segment size
 * ({@link #segmentSize}). The TUN side reads one (super-)packet per call. Not thread-safe: owned by one
 * thread.
 */
final class PacketBatch {
    static final int HEADROOM = 64;
    static final int MAX_PACKET = 65535;
    private static final int SLOT = HEADROOM + MAX_PACKET + 1;
    // struct mmsghdr and struct iovec on LP64 Linux (checked against the C headers with offsetof).
    static final int MMSGHDR = 64;
    private static final int MSG_NAME = 0;
    private static final int MSG_NAMELEN = 8;
    private static final int MSG_IOV = 16;
    private static final int MSG_IOVLEN = 24;
    private static final int MSG_CONTROL = 32;
    private static final int MSG_CONTROLLEN = 40;
    private static final int MSG_LEN = 56;
    private static final int IOVEC = 16;
    private static final int SOCKADDR_IN = 16;

    private final ByteBuffer data;
    private final ByteBuffer names;
    private final ByteBuffer vector;
    private final ByteBuffer iovecs;
    private final long dataAddress;
    private final long namesAddress;
    private final long vectorAddress;
    private final long iovecsAddress;
    private final int[] lengths;
    private final int[] meta;
    private final int[] entrySlots;
    /** One control-message buffer per slot for received UDP GRO sizes, or null when GRO is off. */
    private final ByteBuffer control;
    private final long controlAddress;

    PacketBatch(int capacity) {
        this(capacity, false, 0);
    }

    /**
     * @param groControl   whether receives ask for the {@code UDP_GRO} control message (segment size)
     * @param scratchBytes room after the slots, in the same buffer, for packets made from others (the segments
     *                     of a super-packet that a transform seals); at {@link #scratchOffset()}
     */
    PacketBatch(int capacity, boolean groControl, int scratchBytes) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " < 1");
        }
        data = ByteBuffer.allocateDirect(capacity * SLOT + scratchBytes).order(ByteOrder.BIG_ENDIAN);
        names = ByteBuffer.allocateDirect(capacity * SOCKADDR_IN).order(ByteOrder.nativeOrder());
        vector = ByteBuffer.allocateDirect(capacity * MMSGHDR).order(ByteOrder.nativeOrder());
        iovecs = ByteBuffer.allocateDirect(capacity * IOVEC).order(ByteOrder.nativeOrder());
        dataAddress = Syscalls.address(data);
        namesAddress = Syscalls.address(names);
        vectorAddress = Syscalls.address(vector);
        iovecsAddress = Syscalls.address(iovecs);
        lengths = new int[capacity];
        meta = new int[capacity];
        entrySlots = new int[capacity];
        control = groControl ? ByteBuffer.allocateDirect(capacity * ControlMessages.SPACE).order(ByteOrder.nativeOrder())
                : null;
        controlAddress = groControl ? Syscalls.address(control) : 0;
        for (int i = 0; i < capacity; i++) {
            vector.putLong(i * MMSGHDR + MSG_IOV, iovecsAddress + (long) i * IOVEC);
            vector.putLong(i * MMSGHDR + MSG_IOVLEN, 1);
        }
    }

    int capacity() {
        return lengths.length;
    }

    /** The whole data buffer, big-endian, for absolute reads and writes at {@link #offset(int)}. */
    ByteBuffer data() {
        return data;
    }

    /** Where the scratch room after the slots starts in {@link #data()}. */
    int scratchOffset() {
        return lengths.length * SLOT;
    }

    /** Where slot {@code i}'s packet starts in {@link #data()}. */
    int offset(int i) {
        return i * SLOT + HEADROOM;
    }

    /** The native address of slot {@code i}'s packet. */
    long address(int i) {
        return dataAddress + offset(i);
    }

    /** The native address of the {@code struct mmsghdr} vector for recvmmsg/sendmmsg. */
    long vector() {
        return vectorAddress;
    }

    /** Points every vector entry at its own slot and source-address space, ready for recvmmsg. */
    void prepareReceive() {
        for (int i = 0; i < lengths.length; i++) {
            int at = i * MMSGHDR;
            vector.putLong(at + MSG_NAME, namesAddress + (long) i * SOCKADDR_IN);
            vector.putInt(at + MSG_NAMELEN, SOCKADDR_IN);
            iovecs.putLong(i * IOVEC, address(i));
            iovecs.putLong(i * IOVEC + 8, MAX_PACKET);
            if (control != null) {
                vector.putLong(at + MSG_CONTROL, controlAddress + (long) i * ControlMessages.SPACE);
                vector.putLong(at + MSG_CONTROLLEN, ControlMessages.SPACE);
            }
        }
    }

    /**
     * The segment size of slot {@code i}'s received buffer when the kernel merged a train of datagrams into it
     * (UDP GRO), else its whole length: the buffer holds datagrams of this size, the last one maybe shorter.
     */
    int segmentSize(int i) {
        if (control == null) {
            return lengths[i];
        }
        long controlLength = vector.getLong(i * MMSGHDR + MSG_CONTROLLEN);
        int size = ControlMessages.groSize(control, i * ControlMessages.SPACE, controlLength);
        return size > 0 && size < lengths[i] ? size : lengths[i];
    }

    /** After recvmmsg returned {@code n}: takes each entry's length into {@link #length(int)}. */
    void received(int n) {
        for (int i = 0; i < n; i++) {
            lengths[i] = vector.getInt(i * MMSGHDR + MSG_LEN);
        }
    }

    /**
     * Makes vector entry {@code entry} send slot {@code slot} to the {@code sockaddr_in} at {@code name}, as a
     * datagram that starts {@code front} bytes into the headroom before the slot's packet (a
     * {@link PacketTransform}'s header, or 0); {@link #length(int)} is its whole length.
     */
    void prepareSend(int entry, int slot, long name, int front) {
        entrySlots[entry] = slot;
        int at = entry * MMSGHDR;
        vector.putLong(at + MSG_NAME, name);
        vector.putInt(at + MSG_NAMELEN, SOCKADDR_IN);
        iovecs.putLong(entry * IOVEC, address(slot) - front);
        iovecs.putLong(entry * IOVEC + 8, lengths[slot]);
    }

    /** The slot that vector entry {@code entry} sends, as set by {@link #prepareSend}. */
    int entrySlot(int entry) {
        return entrySlots[entry];
    }

    /** The IPv4 source address recvmmsg wrote for slot {@code i}, or 0 if it was not an IPv4 address. */
    int sourceAddress(int i) {
        int base = i * SOCKADDR_IN;
        if (names.getShort(base) != LibC.AF_INET) {
            return 0;
        }
        int at = base + 4;
        return ((names.get(at) & 0xff) << 24) | ((names.get(at + 1) & 0xff) << 16) | ((names.get(at + 2) & 0xff) << 8)
                | (names.get(at + 3) & 0xff);
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
}
