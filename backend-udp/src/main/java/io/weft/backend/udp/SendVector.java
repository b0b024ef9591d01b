package io.weft.backend.udp;

import io.weft.linux.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The {@code sendmmsg} vector of the offload path: each entry is one datagram, or with a {@code UDP_SEGMENT}
 * control message one train of datagrams the kernel cuts every segment-size bytes (UDP GSO), gathered from
 * several {@code iovec}s (a segment's headers and its payload slice, which stays where the TUN read put it).
 * Entries remember their peer, how many inner packets and bytes they carry, for the counters. Reused for
 * every batch; allocation-free. Not thread-safe: owned by one forwarding thread.
 */
final class SendVector {
    private static final int MMSGHDR = MsgHdr.SIZE;
    private static final int IOVEC = MsgHdr.IOVEC;
    private static final int SOCKADDR_IN = MsgHdr.SOCKADDR_IN;

    private final ByteBuffer vector;
    private final ByteBuffer iovecs;
    private final ByteBuffer control;
    private final long vectorAddress;
    private final long iovecsAddress;
    private final long controlAddress;
    private final int maxEntries;
    private final int maxIovecs;
    private final int[] peers;
    private final int[] packets;
    private final long[] bytes;
    private int entries;
    private int iovecsUsed;
    private int entryFirstIovec;

    SendVector(int maxEntries, int maxIovecs) {
        this.maxEntries = maxEntries;
        this.maxIovecs = maxIovecs;
        vector = ByteBuffer.allocateDirect(maxEntries * MMSGHDR).order(ByteOrder.nativeOrder());
        iovecs = ByteBuffer.allocateDirect(maxIovecs * IOVEC).order(ByteOrder.nativeOrder());
        control = ByteBuffer.allocateDirect(maxEntries * ControlMessages.SPACE).order(ByteOrder.nativeOrder());
        vectorAddress = Syscalls.address(vector);
        iovecsAddress = Syscalls.address(iovecs);
        controlAddress = Syscalls.address(control);
        peers = new int[maxEntries];
        packets = new int[maxEntries];
        bytes = new long[maxEntries];
    }

    /** Empties the vector for the next batch. */
    void clear() {
        entries = 0;
        iovecsUsed = 0;
    }

    /** Whether one more entry of up to {@code iovecCount} slices fits. */
    boolean fits(int iovecCount) {
        return entries < maxEntries && iovecsUsed + iovecCount <= maxIovecs;
    }

    /** Starts an entry to the {@code sockaddr_in} at {@code name}, for route-table peer {@code peer}. */
    void begin(long name, int peer) {
        int at = entries * MMSGHDR;
        vector.putLong(at + MsgHdr.NAME, name);
        vector.putInt(at + MsgHdr.NAMELEN, SOCKADDR_IN);
        vector.putLong(at + MsgHdr.IOV, iovecsAddress + (long) iovecsUsed * IOVEC);
        vector.putLong(at + MsgHdr.CONTROL, 0);
        vector.putLong(at + MsgHdr.CONTROLLEN, 0);
        peers[entries] = peer;
        packets[entries] = 0;
        bytes[entries] = 0;
        entryFirstIovec = iovecsUsed;
    }

    /** Adds a slice of native memory to the current entry. */
    void add(long address, int length) {
        iovecs.putLong(iovecsUsed * IOVEC, address);
        iovecs.putLong(iovecsUsed * IOVEC + 8, length);
        iovecsUsed++;
    }

    /** Counts {@code count} inner packets of {@code length} bytes in total into the current entry. */
    void count(int count, long length) {
        packets[entries] += count;
        bytes[entries] += length;
    }

    /** Ends the current entry; with {@code segmentSize} > 0 the kernel cuts it into datagrams of that size. */
    void end(int segmentSize) {
        int at = entries * MMSGHDR;
        vector.putLong(at + MsgHdr.IOVLEN, iovecsUsed - entryFirstIovec);
        if (segmentSize > 0) {
            int c = entries * ControlMessages.SPACE;
            ControlMessages.putSegment(control, c, segmentSize);
            vector.putLong(at + MsgHdr.CONTROL, controlAddress + c);
            vector.putLong(at + MsgHdr.CONTROLLEN, ControlMessages.SPACE);
        }
        entries++;
    }

    int entries() {
        return entries;
    }

    /** The native address of entry {@code from}, for sendmmsg. */
    long vector(int from) {
        return vectorAddress + (long) from * MMSGHDR;
    }

    int peer(int entry) {
        return peers[entry];
    }

    int packets(int entry) {
        return packets[entry];
    }

    long bytes(int entry) {
        return bytes[entry];
    }
}
