package io.weft.backend.udp;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkStats;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import io.weft.linux.UdpSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The udp backend's running network: the TUN device, the UDP socket, the route table and two forwarding
 * threads it names and owns ({@code weft-udp-tun-to-udp}, {@code weft-udp-udp-to-tun}). {@link #run()}
 * starts them and waits until {@link #close()}, which stops the threads and then releases the socket and
 * the device (with its route), in reverse order of set-up. Counters go out through {@link #stats()}; the
 * daemon logs drop summaries and serves metrics from them, so nothing here logs per packet.
 *
 * <p>Thread-safe: lease events and lease changes arrive on the daemon's threads and are applied under a
 * lock, then published as a new immutable {@link RouteTable} through a volatile field that the forwarding
 * threads read once per batch, without locking.
 */
final class UdpNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(UdpNetwork.class);
    static final int BATCH = 32;
    private static final long JOIN_MILLIS = 2000;

    private final TunDevice tun;
    private final UdpSocket socket;
    private final UdpSettings settings;
    private final String publicIp;
    private final DataPathStats stats = new DataPathStats();
    private final Object lock = new Object();
    private final Map<Ipv4Subnet, RouteTable.Peer> peers = new LinkedHashMap<>();
    private final Map<Ipv4Subnet, PeerCounters> counters = new HashMap<>();
    private final CountDownLatch stop = new CountDownLatch(1);
    private final AtomicBoolean closed = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Runnable tunToUdp;
    private final Runnable udpToTun;
    private final String backendType;
    private volatile boolean running = true;
    private volatile RouteTable routes;
    private volatile Lease lease;

    UdpNetwork(Syscalls sys, TunDevice tun, UdpSocket socket, UdpSettings settings, Lease lease, Ipv4Subnet network) {
        this(sys, tun, socket, settings, lease, network, UdpBackend.TYPE, null);
    }

    /**
     * @param backendType the BackendType peers must publish to be routed to
     * @param transform   the per-packet stage, or null for plain udp
     */
    UdpNetwork(Syscalls sys, TunDevice tun, UdpSocket socket, UdpSettings settings, Lease lease, Ipv4Subnet network,
            String backendType, PacketTransform transform) {
        this.backendType = backendType;
        this.tun = tun;
        this.socket = socket;
        this.settings = settings;
        this.lease = lease;
        this.publicIp = lease.attrs().publicIp();
        this.routes = RouteTable.empty(network, lease.subnet(), settings.port());
        this.tunToUdp = new TunToUdp(sys, tun.fd(), socket.fd(), this::routes, stats, this::isRunning, BATCH,
                transform);
        this.udpToTun = new UdpToTun(sys, tun.fd(), socket.fd(), this::routes, stats, this::isRunning, BATCH,
                transform);
    }

    @Override
    public Lease lease() {
        return lease;
    }

    @Override
    public int mtu() {
        return settings.mtu();
    }

    RouteTable routes() {
        return routes;
    }

    DataPathStats counters() {
        return stats;
    }

    @Override
    public NetworkStats stats() {
        synchronized (lock) {
            return stats.snapshot(Map.copyOf(counters));
        }
    }

    @Override
    public boolean isUp() {
        synchronized (lock) {
            return running && !threads.isEmpty() && threads.stream().allMatch(Thread::isAlive);
        }
    }

    private boolean isRunning() {
        return running;
    }

    @Override
    public void run() throws InterruptedException {
        synchronized (lock) {
            if (closed.get() || !threads.isEmpty()) {
                return;
            }
            start("weft-udp-tun-to-udp", tunToUdp);
            start("weft-udp-udp-to-tun", udpToTun);
        }
        LOG.info("udp data path running backendType={} device={} port={} mtu={}", backendType, tun.name(),
                settings.port(), settings.mtu());
        stop.await();
        Throwable t = failure.get();
        if (t != null) {
            throw new WeftException("udp data path failed: " + t.getMessage(), t);
        }
    }

    private void start(String name, Runnable loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                LOG.error("thread {} failed: {}", name, e.toString());
                running = false;
                stop.countDown();
            }
        }, name);
        t.setDaemon(true);
        threads.add(t);
        t.start();
    }

    @Override
    public void handleEvents(List<LeaseEvent> events) {
        synchronized (lock) {
            boolean changed = false;
            for (LeaseEvent e : events) {
                if (e instanceof LeaseEvent.Added added) {
                    changed |= addPeer(added.lease());
                } else if (peers.remove(e.subnet()) != null) {
                    counters.remove(e.subnet());
                    LOG.info("peer removed subnet={}", e.subnet());
                    changed = true;
                }
            }
            if (changed) {
                publish(routes.own());
            }
        }
    }

    private boolean addPeer(Lease peer) {
        String type = peer.attrs().backendType();
        boolean speaks = type.equalsIgnoreCase(backendType) || type.isEmpty() && backendType.equals(UdpBackend.TYPE);
        if (!speaks) {
            LOG.info("peer ignored subnet={} backendType={}: it does not speak {}", peer.subnet(), type, backendType);
            counters.remove(peer.subnet());
            return peers.remove(peer.subnet()) != null;
        }
        if (peer.subnet().equals(routes.own())) {
            return false;
        }
        RouteTable.Peer route = new RouteTable.Peer(peer.subnet(), Ipv4.parse("PublicIP", peer.attrs().publicIp()));
        RouteTable.Peer before = peers.put(peer.subnet(), route);
        if (route.equals(before)) {
            LOG.debug("peer renewed subnet={}", peer.subnet());
            return false;
        }
        counters.computeIfAbsent(peer.subnet(), s -> new PeerCounters());
        LOG.info("peer added subnet={} publicIp={}", peer.subnet(), peer.attrs().publicIp());
        return true;
    }

    private void publish(Ipv4Subnet own) {
        routes = new RouteTable(routes.network(), own, List.copyOf(peers.values()), counters, settings.port());
        LOG.debug("route table published peers={}", peers.size());
    }

    @Override
    public void leaseChanged(Lease newLease) {
        synchronized (lock) {
            Lease old = lease;
            lease = newLease;
            if (!newLease.subnet().equals(old.subnet()) && !closed.get()) {
                LOG.info("own subnet changed from={} to={}", old.subnet(), newLease.subnet());
                tun.setAddress(newLease.subnet().base());
                peers.remove(newLease.subnet());
                counters.remove(newLease.subnet());
                publish(newLease.subnet());
            }
            if (!newLease.attrs().publicIp().equals(publicIp)) {
                LOG.warn("lease publicIp={} differs from this backend's publicIp={}; the socket stays bound",
                        newLease.attrs().publicIp(), publicIp);
            }
        }
    }

    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        running = false;
        stop.countDown();
        List<Thread> started;
        synchronized (lock) {
            started = List.copyOf(threads);
        }
        // A forwarding thread notices the stop within one poll or one send timeout (about 1.25 s). Until it
        // has ended it may still use the socket and the device, and closing them under it could make it read
        // or write a descriptor number that something else reuses; so a thread that outlives the wait keeps
        // them open, and they are released when the process exits.
        long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
        List<String> alive = new ArrayList<>();
        for (int i = started.size() - 1; i >= 0; i--) {
            Thread t = started.get(i);
            try {
                t.join(Math.max(1, (deadline - System.nanoTime()) / 1_000_000));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (t.isAlive()) {
                alive.add(t.getName());
            }
        }
        if (!alive.isEmpty()) {
            LOG.warn("threads {} still running {}ms after stop; leaving the UDP socket and device {} open until"
                    + " exit", alive, JOIN_MILLIS, tun.name());
            return;
        }
        synchronized (lock) {
            try {
                socket.close();
            } finally {
                tun.close();
            }
        }
        LOG.info("udp data path closed device={} tunToUdp={} udpToTun={}", tun.name(), stats.tunToUdp(),
                stats.udpToTun());
    }
}
