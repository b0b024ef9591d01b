package io.weft.backend.udp;

import io.weft.core.model.Lease;
import io.weft.linux.ClassicBpf;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * An optional per-packet stage of the udp data path, for a backend that reuses it by composition (the
 * ipsec backend's ESP). Each peer's state lives in the {@link RouteTable} entry that routes to it: the data
 * path asks for it once, with {@link #peerState}, when it builds the entry, and hands it to {@link #seal} and
 * {@link #open} with each packet, so the transform never looks a peer up itself. The data path hands each
 * packet over in place, inside its batch buffer, so a transform needs no buffers of its own:
 *
 * <ul>
 *   <li>{@link #seal}: after routing (TTL already decremented), before sendmmsg. The inner packet lies at
 *       {@code offset}; the transform writes the datagram payload starting at {@code offset - headroom()}
 *       (at most {@link #MAX_HEADROOM} bytes of headroom) and may use {@link #tailroom()} bytes past the
 *       packet's end.</li>
 *   <li>{@link #open}: after recvmmsg and the sender check (only known peers' datagrams get here), before the
 *       IPv4 checks. The datagram lies at {@code offset}; the transform writes the inner packet starting at
 *       {@code offset + headroom()}.</li>
 * </ul>
 *
 * Both return a length, or a negative number for a drop that the transform has already counted (its
 * counters go out through the backend's own stats). Both get the monotonic clock ({@link System#nanoTime()}) as
 * read once per batch, so a packet costs no clock read. {@link #peerState} runs on the daemon's threads, one call
 * at a time; {@link #seal} runs on each queue's outbound forwarding thread and {@link #open} on each queue's
 * inbound one, with that queue's index and always with the same {@code buffer} per thread, so a peer state may
 * keep per-queue, per-direction parts without locks; a part several queues reach must be thread-safe. Which
 * socket (so which inbound thread) a datagram reaches is the kernel's choice, or the transform's own
 * {@link #steering} program's. Neither may allocate per packet on the data path's behalf, nor throw for hostile
 * input.
 *
 * @param <S> the per-peer state
 */
public interface PacketTransform<S> {
    /** The headroom every batch slot has in front of a packet. */
    int MAX_HEADROOM = PacketBatch.HEADROOM;

    /** Bytes the transform puts in front of an inner packet (and strips on the way in). */
    int headroom();

    /** Bytes the transform may write past the end of an inner packet (trailer, tag). */
    int tailroom();

    /**
     * The state for a peer entering the route table (new, or its lease attributes changed), made before the
     * table that routes to it is published. A peer whose lease did not change keeps its state.
     *
     * @return the state, or null when this peer cannot be served (it published no usable key, say): the peer
     *         is still routed, and {@link #seal} and {@link #open} get null and drop its packets
     */
    S peerState(Lease peer);

    /**
     * The states of every peer the next table routes to (those that have one), in table order: called after
     * each change, after {@link #peerState} for its new peers and before the table is published, on the same
     * thread. A transform that judges peers against each other (two peers that publish one key), or keeps
     * something of peers that left for a while, does it here. Default: nothing.
     */
    default void routed(List<S> states) {
    }

    /**
     * The reuseport program that picks each received datagram's socket (so its queue) when the host runs
     * {@code queues} of them, or null to leave it to the kernel's hash of the outer addresses and ports (which
     * gives all of one peer's datagrams to one queue). A transform whose payload hides the inner packet cannot use
     * the udp backend's inner-flow steering, so it may steer by something of its own. Default: null.
     */
    default ClassicBpf steering(int queues) {
        return null;
    }

    /**
     * Whether the segments this host cuts from a TCP or UDP super-packet for the peer whose state is {@code peer}
     * may leave their L4 checksum partial (the folded pseudo-header sum in the field, {@link PartialChecksums}):
     * true only when that peer's transform finishes or trusts such a packet ({@link #acceptsPartialChecksums}),
     * as its lease says, and the transform itself guards the packet's integrity on the way (an AEAD's tag).
     * Saves summing every payload byte on the sending thread. Default: false.
     */
    default boolean partialChecksums(S peer) {
        return false;
    }

    /**
     * Whether this host takes inner packets with partial checksums from its peers: its receiving threads then
     * give each such packet to the device as partial ({@code NEEDS_CSUM}) or complete it, and a transform that
     * says so tells its peers in its lease. Default: false.
     */
    default boolean acceptsPartialChecksums() {
        return false;
    }

    /**
     * Turns the inner packet at {@code offset} ({@code length} bytes), bound for the peer whose state is
     * {@code peer}, into the datagram payload at {@code offset - headroom()}, on the outbound thread of
     * {@code queue}, at {@code nowNanos} ({@link System#nanoTime()} when the batch began).
     *
     * @return the payload's length, or a negative number when the packet is dropped
     */
    int seal(S peer, int queue, ByteBuffer buffer, int offset, int length, long nowNanos);

    /**
     * Turns the datagram payload at {@code offset} ({@code length} bytes) from the peer whose state is
     * {@code peer} into the inner packet at {@code offset + headroom()}, on the inbound thread of {@code queue}, at
     * {@code nowNanos} ({@link System#nanoTime()} when the batch began).
     *
     * @return the inner packet's length, or a negative number when the datagram is dropped
     */
    int open(S peer, int queue, ByteBuffer buffer, int offset, int length, long nowNanos);
}
