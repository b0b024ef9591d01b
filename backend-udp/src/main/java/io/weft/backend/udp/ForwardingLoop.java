package io.weft.backend.udp;

import io.weft.core.runtime.LoopThread;
import io.weft.linux.EventFd;
import io.weft.linux.LibC;
import io.weft.linux.Poller;
import io.weft.linux.Syscalls;
import java.util.function.Supplier;

/**
 * What the two forwarding directions share: the descriptors at both ends, the route table, a reused
 * {@link PacketBatch}, the optional {@link PacketTransform}, and the loop itself, which waits in poll for its
 * source to be readable, takes a batch from it and forwards the batch to the other end. {@link TunToUdp}
 * and {@link UdpToTun} say how a batch is taken and forwarded; batch I/O on either side goes there, and the
 * loop stays one. Stop is a {@link LoopThread} stop whose wake-up signals the eventfd in the poll set, so a
 * wait ends at once; the poll bound only limits how long a lost wake-up could keep a thread. Runs on the
 * {@link LoopThread} {@link UdpNetwork} starts for it; not thread-safe: owned by that one thread.
 */
abstract class ForwardingLoop {
    /** The longest poll wait; stop does not wait for it (the eventfd wakes the poll). */
    static final int POLL_BOUND_MILLIS = 60_000;

    /**
     * The ends both directions are built with. Immutable.
     *
     * @param tun       the TUN device's descriptor
     * @param socket    the UDP socket's descriptor
     * @param wakeUp    signalled on stop; in every loop's poll set
     * @param routes    the current route table
     * @param transform the per-packet stage, or null for plain udp
     * @param offloads  what this queue's TUN descriptor and socket do
     * @param queue     which queue this is, for its own lanes of the counters
     * @param mtu       the overlay MTU: the largest segment a super-packet is cut into
     * @param tunQueues every queue's TUN descriptor, in queue order
     */
    record Ends(Syscalls sys, int tun, int socket, EventFd wakeUp, Supplier<RouteTable> routes,
            PacketTransform<Object> transform, Offloads offloads, int queue, int mtu, int[] tunQueues) {
    }

    final Syscalls sys;
    final LibC libc;
    final int tun;
    final int socket;
    final DataPathStats.Side stats;
    final PacketBatch batch;
    final Offloads offloads;
    /** This loop's queue: its counter lane in each {@link PeerCounters}. */
    final int queue;
    /** The per-packet stage, or null. */
    final PacketTransform<Object> transform;
    /** The transform's headroom, or 0. */
    final int headroom;
    private final Supplier<RouteTable> routes;
    private final Poller poller;
    private LoopThread thread;

    /**
     * @param source     the descriptor this direction reads from
     * @param sourceName names it in errors
     */
    ForwardingLoop(Ends ends, DataPathStats.Side stats, PacketBatch batch, int source, String sourceName) {
        this.sys = ends.sys();
        this.libc = sys.libc();
        this.tun = ends.tun();
        this.socket = ends.socket();
        this.routes = ends.routes();
        this.stats = stats;
        this.batch = batch;
        // Slots take memory as the traffic first fills them, not all 32 of 64 KB at start.
        sys.releasePages(batch.data());
        this.offloads = ends.offloads();
        this.queue = ends.queue();
        this.transform = ends.transform();
        this.headroom = transform == null ? 0 : transform.headroom();
        this.poller = new Poller(sys, source, sourceName, ends.wakeUp());
    }

    /** The loop: the body of this direction's {@link LoopThread}. */
    final void run(LoopThread self) {
        thread = self;
        while (self.running()) {
            if (poller.awaitReadable(POLL_BOUND_MILLIS)) {
                int n = receive();
                if (n > 0) {
                    forward(n, routes.get());
                }
            }
        }
    }

    /** False once a stop was asked for. */
    final boolean running() {
        return thread.running();
    }

    /** Takes what is queued at the source into {@link #batch}, up to its capacity; returns how many. */
    abstract int receive();

    /** Forwards the first {@code n} packets of {@link #batch} with one table for the whole batch. */
    abstract void forward(int n, RouteTable table);
}
