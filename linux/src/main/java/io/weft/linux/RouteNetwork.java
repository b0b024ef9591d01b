package io.weft.linux;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkEvent;
import io.weft.core.spi.backend.NetworkStats;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The network of a backend that moves no packets itself but configures the kernel to (vxlan, host-gw): peer
 * events become routes, ARP and FDB entries through the backend's {@link RoutePlan.Planner} and
 * {@link KernelSync}; {@link #run()} checks the device and the entries every resync interval, putting back what
 * is missing and removing what no peer wants. {@link #close()} leaves the kernel state in place, so traffic flows
 * while the daemon restarts and the next start adopts it; {@link #teardown()} removes it. Made by a backend's
 * start, owned by the daemon; thread-safe (one change or check at a time).
 */
public final class RouteNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(RouteNetwork.class);
    public static final String DEVICE = "device";

    private final Rtnetlink rt;
    private final KernelDevice device;
    private final RoutePlan.Planner planner;
    private final Duration resync;
    private final Ipv4Subnet network;
    private final int external;
    private final KernelSync sync;
    private final ReentrantLock lock = new ReentrantLock();
    private final CountDownLatch closed = new CountDownLatch(1);
    private final Map<Ipv4Subnet, Lease> peers = new HashMap<>();
    private final Map<Ipv4Subnet, RoutePlan.Refusal> refused = new HashMap<>();
    private volatile Map<Ipv4Subnet, String> refusedStates = Map.of();
    private volatile boolean up;
    private long deviceRepairs;
    private Ipv4Subnet own;
    private boolean stopped;
    /** Whether peer events came: from then on (or from the second check) unwanted entries are removed. */
    private boolean peersKnown;
    private long checks;

    /**
     * @param rt       the netlink socket; the network owns it from now on and closes it
     * @param device   the backend's device, already configured, or {@link KernelDevice#NONE}
     * @param planner  turns peers into kernel entries
     * @param network  the overlay Network
     * @param own      this host's lease
     * @param external the external interface's index
     * @param resync   how often {@link #run()} checks the kernel
     */
    public RouteNetwork(Rtnetlink rt, KernelDevice device, RoutePlan.Planner planner, Ipv4Subnet network, Lease own,
            int external, Duration resync) {
        this.rt = Objects.requireNonNull(rt, "rt is null");
        this.device = Objects.requireNonNull(device, "device is null");
        this.planner = Objects.requireNonNull(planner, "planner is null");
        this.network = Objects.requireNonNull(network, "network is null");
        this.own = own.subnet();
        this.external = external;
        this.resync = Objects.requireNonNull(resync, "resync is null");
        this.sync = new KernelSync(rt, scope());
        this.up = device.isUp();
    }

    private KernelSync.Scope scope() {
        return new KernelSync.Scope(network, own, device.index(), external);
    }

    @Override
    public void run() throws InterruptedException {
        do {
            check();
        } while (!closed.await(resync.toMillis(), TimeUnit.MILLISECONDS));
    }

    /** One resync round: the device, then the entries. Errors are logged; the next round tries again. */
    void check() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            if (device.ensure()) {
                deviceRepairs++;
                sync.scope(scope());
                sync.apply(Map.of());
                applyPlan();
            }
            up = device.isUp();
            sync.resync(peersKnown || checks > 0);
            checks++;
        } catch (WeftException e) {
            LOG.warn("kernel check failed error=\"{}\"; next check in {}s", e.getMessage(), resync.toSeconds());
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void handleEvents(java.util.List<NetworkEvent> events) {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            // The watcher's first call carries its whole snapshot of peers; a change of this host's own lease does not.
            boolean first = !peersKnown && events.stream().anyMatch(e -> !(e instanceof NetworkEvent.LeaseChanged));
            peersKnown |= first;
            for (NetworkEvent e : events) {
                if (e instanceof NetworkEvent.PeerAdded added) {
                    peers.put(added.subnet(), added.lease());
                } else if (e instanceof NetworkEvent.PeerRemoved removed) {
                    peers.remove(removed.subnet());
                } else if (e instanceof NetworkEvent.LeaseChanged changed) {
                    own = changed.lease().subnet();
                    device.leaseChanged(changed.lease());
                    sync.scope(scope());
                }
            }
            applyPlan();
            if (first) {
                // The first peers after a start: what the kernel holds beyond them (peers that left while weft
                // was down) goes now rather than at the next check.
                sync.resync(true);
            }
        } catch (WeftException e) {
            LOG.warn("peer change not applied error=\"{}\"; retrying at the next check in {}s", e.getMessage(),
                    resync.toSeconds());
        } finally {
            lock.unlock();
        }
    }

    private void applyPlan() {
        RoutePlan plan = planner.plan(Map.copyOf(peers));
        for (Map.Entry<Ipv4Subnet, RoutePlan.Refusal> r : plan.refused().entrySet()) {
            if (!r.getValue().equals(refused.get(r.getKey()))) {
                LOG.warn(r.getValue().logLine());
            }
        }
        refused.clear();
        refused.putAll(plan.refused());
        Map<Ipv4Subnet, String> states = new HashMap<>();
        plan.refused().forEach((k, v) -> states.put(k, v.state()));
        refusedStates = Map.copyOf(states);
        sync.apply(plan.entries());
    }

    @Override
    public NetworkStats stats() {
        Map<Ipv4Subnet, String> states = new HashMap<>(sync.states());
        states.putAll(refusedStates);
        Map<String, Long> repaired = new LinkedHashMap<>(sync.repaired());
        if (device.index() != 0) {
            repaired.put(DEVICE, deviceRepairs);
        }
        return NetworkStats.kernelState(states, repaired);
    }

    @Override
    public boolean isUp() {
        return up;
    }

    /** Removes every entry weft installed, then the device: for a host leaving for good. */
    @Override
    public void teardown() {
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            sync.removeAll();
            device.remove();
            up = false;
            LOG.info("kernel state removed");
        } finally {
            lock.unlock();
        }
    }

    /** Stops {@link #run()} and closes the netlink socket; the kernel state stays. Idempotent. */
    @Override
    public void close() {
        closed.countDown();
        lock.lock();
        try {
            if (stopped) {
                return;
            }
            stopped = true;
            rt.close();
        } finally {
            lock.unlock();
        }
    }
}
