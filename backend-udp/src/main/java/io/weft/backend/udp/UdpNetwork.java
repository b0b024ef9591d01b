package io.weft.backend.udp;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.runtime.LoopThread;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkEvent;
import io.weft.core.spi.backend.NetworkStats;
import io.weft.linux.EventFd;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import io.weft.linux.UdpSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The udp data path's running network: the TUN device with its queues, one UDP socket per queue, the wake-up
 * eventfd, the route table and two forwarding {@link LoopThread}s per queue that it names and owns
 * ({@code weft-udp-tun-to-udp}, {@code weft-udp-udp-to-tun}, with {@code -1}, {@code -2}... for the queues after
 * the first). Made by {@link UdpDataPath#start}, which hands it the sockets and device.
 * {@link #run()} starts the threads and waits until {@link #close()}, which stops them and then releases the
 * device (with its route), the eventfd and the socket, in reverse order of set-up. Counters go out through
 * {@link #stats()}; the daemon logs drop summaries and serves metrics from them, so nothing here logs per packet.
 *
 * <p>Thread-safe: events arrive on the daemon's threads and are applied under a lock ({@link RouteUpdates}),
 * then published as a new immutable {@link RouteTable} through a volatile field that the forwarding threads
 * read once per batch, without locking. The table is all the peer state there is.
 */
final class UdpNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(UdpNetwork.class);
    /** Slots per batch when a slot holds one packet of at most the MTU. */
    static final int BATCH = 32;
    /**
     * Slots per batch when a slot holds up to 64 KB: a TSO super-packet read from the TUN device, a UDP GRO
     * train received. Eight carry as many bytes as 350 MTU-sized packets, and the slots a busy flow fills
     * stay at 512 KB per direction and queue, where 32 took 2 MB.
     */
    static final int OFFLOAD_BATCH = 8;
    private static final Duration JOIN = Duration.ofSeconds(2);

    private final TunDevice tun;
    private final List<UdpSocket> sockets;
    private final EventFd wakeUp;
    private final Offloads offloads;
    private final int port;
    private final int mtu;
    private final String backendType;
    private final String publicIp;
    private final RouteUpdates updates;
    private final DataPathStats stats;
    private final Object lock = new Object();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<LoopThread> threads = new ArrayList<>();
    private final List<TunToUdp> tunToUdp = new ArrayList<>();
    private final List<UdpToTun> udpToTun = new ArrayList<>();
    private volatile boolean closed;
    private volatile RouteTable routes;

    /**
     * Takes ownership of {@code tun}, {@code sockets} and {@code wakeUp}: queue q forwards between the device's
     * descriptor q and socket q.
     *
     * @param offloads what the device and sockets do, as probed
     * @param lease    this host's lease
     * @param network  the whole overlay Network
     */
    @SuppressWarnings("unchecked")
    UdpNetwork(Syscalls sys, TunDevice tun, List<UdpSocket> sockets, EventFd wakeUp, Offloads offloads,
            UdpDataPath.Spec<?> spec, Lease lease, Ipv4Subnet network, int mtu) {
        this.tun = tun;
        this.sockets = List.copyOf(sockets);
        this.wakeUp = wakeUp;
        this.offloads = offloads;
        this.port = spec.port();
        this.mtu = mtu;
        this.backendType = spec.backendType();
        this.publicIp = lease.attrs().publicIp();
        this.stats = new DataPathStats(tun.queues());
        this.updates = new RouteUpdates(spec.backendType(), spec.transform(), tun.queues());
        this.routes = RouteTable.empty(network, lease.subnet(), spec.port());
        int[] tunQueues = new int[tun.queues()];
        for (int q = 0; q < tunQueues.length; q++) {
            tunQueues[q] = tun.fd(q);
        }
        for (int q = 0; q < tun.queues(); q++) {
            // The states in a table come from this same transform (RouteUpdates), so the cast holds.
            ForwardingLoop.Ends ends = new ForwardingLoop.Ends(sys, tun.fd(q), this.sockets.get(q).fd(), wakeUp,
                    this::routes, (PacketTransform<Object>) spec.transform(), offloads, q, mtu, tunQueues);
            tunToUdp.add(new TunToUdp(ends, stats, offloads.vnetHdr() ? OFFLOAD_BATCH : BATCH));
            udpToTun.add(new UdpToTun(ends, stats, offloads.gro() ? OFFLOAD_BATCH : BATCH));
        }
    }

    /** What the data path runs with, e.g. for {@code weft status}. */
    Offloads offloads() {
        return offloads;
    }

    RouteTable routes() {
        return routes;
    }

    DataPathStats counters() {
        return stats;
    }

    @Override
    public NetworkStats stats() {
        Map<Ipv4Subnet, PeerCounters> peers = new HashMap<>();
        for (RouteTable.Peer p : routes.peers()) {
            peers.put(p.subnet(), p.counters());
        }
        return stats.snapshot(peers, offloads.names());
    }

    @Override
    public boolean isUp() {
        synchronized (lock) {
            return !closed && !threads.isEmpty() && threads.stream().allMatch(t -> t.running() && t.isAlive());
        }
    }

    @Override
    public void run() throws InterruptedException {
        synchronized (lock) {
            if (closed || !threads.isEmpty()) {
                return;
            }
            for (int q = 0; q < tunToUdp.size(); q++) {
                String suffix = q == 0 ? "" : "-" + q;
                threads.add(LoopThread.start("weft-udp-tun-to-udp" + suffix, tunToUdp.get(q)::run, this::wake,
                        this::failed));
                threads.add(LoopThread.start("weft-udp-udp-to-tun" + suffix, udpToTun.get(q)::run, this::wake,
                        this::failed));
            }
        }
        LOG.info("udp data path running backendType={} device={} port={} mtu={} queues={} offloads={}", backendType,
                tun.name(), port, mtu, tunToUdp.size(), offloads.names().isEmpty() ? "none"
                        : String.join(",", offloads.names()));
        stop.await();
        Throwable t = failure.get();
        if (t != null) {
            throw new WeftException("udp data path failed: " + t.getMessage(), t);
        }
    }

    /** A forwarding thread's body threw: stop the other one too, and end {@link #run()} with the failure. */
    private void failed(Throwable t) {
        failure.compareAndSet(null, t);
        LOG.error("thread {} failed: {}", Thread.currentThread().getName(), t.toString());
        synchronized (lock) {
            threads.forEach(LoopThread::requestStop);
        }
        stop.countDown();
    }

    /** The threads' wake-up: a stop reaches a thread waiting in poll through the eventfd in its poll set. */
    private void wake() {
        try {
            wakeUp.signal();
        } catch (WeftException e) {
            LOG.warn("cannot wake the forwarding threads; they end within their poll bound of {} ms: {}",
                    ForwardingLoop.POLL_BOUND_MILLIS, e.getMessage());
        }
    }

    @Override
    public void handleEvents(List<NetworkEvent> events) {
        synchronized (lock) {
            if (closed) {
                return;
            }
            RouteTable current = routes;
            RouteTable next = updates.apply(current, events);
            if (!next.own().equals(current.own())) {
                tun.setAddress(next.own().base());
                LOG.info("own subnet changed from={} to={}: device {} re-addressed", current.own(), next.own(),
                        tun.name());
            }
            if (next != current) {
                routes = next;
                LOG.debug("route table published peers={}", next.peers().size());
            }
        }
        for (NetworkEvent e : events) {
            if (e instanceof NetworkEvent.LeaseChanged changed) {
                String leased = changed.lease().attrs().publicIp();
                if (!leased.equals(publicIp)) {
                    LOG.warn("lease publicIp={} differs from this backend's publicIp={}; the socket stays bound",
                            leased, publicIp);
                }
            }
        }
    }

    @Override
    public void close() {
        List<LoopThread> started;
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            started = List.copyOf(threads);
        }
        stop.countDown();
        // A stop wakes a thread waiting in poll at once; one in a send returns within the send timeout (1 s).
        // Until it has ended it may still use the socket and the device, and closing them under it could make
        // it read or write a descriptor number that something else reuses; so a thread that outlives the wait
        // keeps them open, and they are released when the process exits.
        long deadline = System.nanoTime() + JOIN.toNanos();
        for (int i = started.size() - 1; i >= 0; i--) {
            started.get(i).requestStop();
        }
        List<String> alive = new ArrayList<>();
        for (int i = started.size() - 1; i >= 0; i--) {
            LoopThread t = started.get(i);
            if (!t.join(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                alive.add(t.name());
            }
        }
        if (!alive.isEmpty()) {
            LOG.warn("threads {} still running {} ms after stop; leaving the UDP socket and device {} open until"
                    + " exit", alive, JOIN.toMillis(), tun.name());
            return;
        }
        synchronized (lock) {
            try {
                tun.close();
            } finally {
                try {
                    wakeUp.close();
                } finally {
                    sockets.forEach(UdpSocket::close);
                }
            }
        }
        LOG.info("udp data path closed device={} tunToUdp={} udpToTun={}", tun.name(), stats.tunToUdp(),
                stats.udpToTun());
    }
}
