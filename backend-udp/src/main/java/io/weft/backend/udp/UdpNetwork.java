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
 * The udp data path's running network: the TUN device, the UDP socket, the wake-up eventfd, the route table
 * and the two forwarding {@link LoopThread}s it names and owns ({@code weft-udp-tun-to-udp},
 * {@code weft-udp-udp-to-tun}). Made by {@link UdpDataPath#start}, which hands it the socket and device.
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
    static final int BATCH = 32;
    private static final Duration JOIN = Duration.ofSeconds(2);

    private final TunDevice tun;
    private final UdpSocket socket;
    private final EventFd wakeUp;
    private final int port;
    private final int mtu;
    private final String backendType;
    private final String publicIp;
    private final RouteUpdates updates;
    private final DataPathStats stats = new DataPathStats();
    private final Object lock = new Object();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<LoopThread> threads = new ArrayList<>();
    private final TunToUdp tunToUdp;
    private final UdpToTun udpToTun;
    private volatile boolean closed;
    private volatile RouteTable routes;

    /**
     * Takes ownership of {@code tun}, {@code socket} and {@code wakeUp}.
     *
     * @param lease   this host's lease
     * @param network the whole overlay Network
     */
    @SuppressWarnings("unchecked")
    UdpNetwork(Syscalls sys, TunDevice tun, UdpSocket socket, EventFd wakeUp, UdpDataPath.Spec<?> spec, Lease lease,
            Ipv4Subnet network, int mtu) {
        this.tun = tun;
        this.socket = socket;
        this.wakeUp = wakeUp;
        this.port = spec.port();
        this.mtu = mtu;
        this.backendType = spec.backendType();
        this.publicIp = lease.attrs().publicIp();
        this.updates = new RouteUpdates(spec.backendType(), spec.transform());
        this.routes = RouteTable.empty(network, lease.subnet(), spec.port());
        // The states in a table come from this same transform (RouteUpdates), so the cast holds.
        ForwardingLoop.Ends ends = new ForwardingLoop.Ends(sys, tun.fd(), socket.fd(), wakeUp, this::routes,
                (PacketTransform<Object>) spec.transform());
        this.tunToUdp = new TunToUdp(ends, stats, BATCH);
        this.udpToTun = new UdpToTun(ends, stats, BATCH);
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
        return stats.snapshot(peers);
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
            threads.add(LoopThread.start("weft-udp-tun-to-udp", tunToUdp::run, this::wake, this::failed));
            threads.add(LoopThread.start("weft-udp-udp-to-tun", udpToTun::run, this::wake, this::failed));
        }
        LOG.info("udp data path running backendType={} device={} port={} mtu={}", backendType, tun.name(), port,
                mtu);
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
                    socket.close();
                }
            }
        }
        LOG.info("udp data path closed device={} tunToUdp={} udpToTun={}", tun.name(), stats.tunToUdp(),
                stats.udpToTun());
    }
}
