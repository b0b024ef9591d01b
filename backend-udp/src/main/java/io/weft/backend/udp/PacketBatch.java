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
 * {@code recvmmsg} call ({@link SendVector} is the sending side).
 *
 * <p>With UDP GRO, each receive slot also gets a control-message buffer for the segment size
 * ({@link #segmentSize}). The TUN side reads one (super-)packet per call. Not thread-safe: owned by one
 * thread.
 */
final class PacketBatch {
    static final int HEADROOM = 64;
    static final int MAX_PACKET = 65535;
    private static final int SLOT = HEADROOM + MAX_PACKET + 1;
    private static final int MMSGHDR = MsgHdr.SIZE;
    private static final int IOVEC = MsgHdr.IOVEC;
    private static final int SOCKADDR_IN = MsgHdr.SOCKADDR_IN;

    private final ByteBuffer data;
    private final ByteBuffer names;
    private final ByteBuffer vector;
    private final ByteBuffer iovecs;
    private final long dataAddress;
    private final long namesAddress;
    private final long vectorAddress;
    private final long iovecsAddress;
    private final int[] lengths;
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
        control = groControl ? ByteBuffer.allocateDirect(capacity * ControlMessages.SPACE).order(ByteOrder.nativeOrder())
                : null;
        controlAddress = groControl ? Syscalls.address(control) : 0;
        for (int i = 0; i < capacity; i++) {
            vector.putLong(i * MMSGHDR + MsgHdr.IOV, iovecsAddress + (long) i * IOVEC);
            vector.putLong(i * MMSGHDR + MsgHdr.IOVLEN, 1);
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

    /** The native address of the {@code struct mmsghdr} vector for recvmmsg. */
    long vector() {
        return vectorAddress;
    }

    /** Points every vector entry at its own slot and source-address space, ready for recvmmsg. */
    void prepareReceive() {
        for (int i = 0; i < lengths.length; i++) {
            int at = i * MMSGHDR;
            vector.putLong(at + MsgHdr.NAME, namesAddress + (long) i * SOCKADDR_IN);
            vector.putInt(at + MsgHdr.NAMELEN, SOCKADDR_IN);
            iovecs.putLong(i * IOVEC, address(i));
            iovecs.putLong(i * IOVEC + 8, MAX_PACKET);
            if (control != null) {
                vector.putLong(at + MsgHdr.CONTROL, controlAddress + (long) i * ControlMessages.SPACE);
                vector.putLong(at + MsgHdr.CONTROLLEN, ControlMessages.SPACE);
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
        long controlLength = vector.getLong(i * MMSGHDR + MsgHdr.CONTROLLEN);
        int size = ControlMessages.groSize(control, i * ControlMessages.SPACE, controlLength);
        return size > 0 && size < lengths[i] ? size : lengths[i];
    }

    /** After recvmmsg returned {@code n}: takes each entry's length into {@link #length(int)}. */
    void received(int n) {
        for (int i = 0; i < n; i++) {
            lengths[i] = vector.getInt(i * MMSGHDR + MsgHdr.LEN);
        }
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

    /** The UDP source port recvmmsg wrote for slot {@code i}, or 0 if the address was not IPv4. */
    int sourcePort(int i) {
        int base = i * SOCKADDR_IN;
        if (names.getShort(base) != LibC.AF_INET) {
            return 0;
        }
        return ((names.get(base + 2) & 0xff) << 8) | (names.get(base + 3) & 0xff);
    }

    int length(int i) {
        return lengths[i];
    }

    void length(int i, int length) {
        lengths[i] = length;
    }
}
