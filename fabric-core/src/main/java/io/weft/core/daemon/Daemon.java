package io.weft.core.daemon;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.iptables.IptablesManager;
import io.weft.core.lease.LeaseKeeper;
import io.weft.core.lease.LeaseWatcher;
import io.weft.core.lease.SubnetAllocator;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import io.weft.core.model.NetworkConfig;
import io.weft.core.ops.DaemonMetrics;
import io.weft.core.ops.DropSummary;
import io.weft.core.ops.OpsServer;
import io.weft.core.ops.StatusJson;
import io.weft.core.plugin.PluginRegistry;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.ExternalInterface;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkStats;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreProvider;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: wires the store, the network config, the backend, the lease keeper, the lease watcher and
 * the local HTTP endpoint, and runs each long-lived loop on a named thread it owns.
 *
 * <p>{@link #start()} serves {@code /healthz} first, then waits for the network config (retrying, as
 * flanneld does, while the store is unreachable or the config is missing or invalid), then registers the
 * backend, which takes the lease, writes subnet.env and starts the loops. {@link #close()} may come at
 * any point, from another thread; it stops everything in the reverse order and keeps the lease, so a
 * restart reuses it. Thread-safe.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** All loops together get this long to stop before close() gives up on them. */
    private static final Duration STOP_BUDGET = Duration.ofSeconds(3);
    private static final Duration MAX_CONFIG_BACKOFF = Duration.ofSeconds(10);
    private static final Duration READY_WAIT = Duration.ofSeconds(30);
    private static final Duration DROP_SUMMARY_INTERVAL = Duration.ofSeconds(10);

    private final DaemonOptions options;
    private final PluginRegistry<StoreProvider> stores;
    private final PluginRegistry<BackendProvider> backends;
    private final ExternalInterfaceResolver interfaces;
    private final Clock clock;
    private final DaemonListener listener;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();
    private final Object lifecycle = new Object();
    private final DaemonMetrics metrics;

    // Written under lifecycle, read by the HTTP thread: volatile.
    private volatile String waitingFor = "starting";
    private volatile boolean ready;
    private volatile boolean closing;
    private volatile NetworkConfig config;
    private volatile Network network;
    private volatile LeaseKeeper keeper;
    private volatile LeaseWatcher watcher;
    private Store store;
    private IptablesManager iptables;
    private OpsServer ops;
    private SubnetEnvFile subnetFile;
    private boolean closed;

    public Daemon(DaemonOptions options, PluginRegistry<StoreProvider> stores, PluginRegistry<BackendProvider> backends,
            ExternalInterfaceResolver interfaces, Clock clock, DaemonListener listener) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.stores = Objects.requireNonNull(stores, "stores is null");
        this.backends = Objects.requireNonNull(backends, "backends is null");
        this.interfaces = Objects.requireNonNull(interfaces, "interfaces is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.listener = Objects.requireNonNull(listener, "listener is null");
        this.metrics = new DaemonMetrics(
                () -> currentLease().isPresent() ? 1 : 0,
                this::secondsToExpiry,
                () -> watcher == null ? 0 : watcher.peers().size(),
                this::stats,
                () -> watcher == null ? 0 : watcher.recoveries(),
                () -> keeper == null ? 0 : keeper.failures());
    }

    /**
     * Starts the daemon; returns once it is running, or early if {@link #close()} came first.
     *
     * @throws WeftException when it cannot run: a bad flag, an unknown backend, no free subnet
     */
    public void start() {
        ExternalInterface iface;
        String publicIp;
        synchronized (lifecycle) {
            if (closing) {
                return;
            }
            if (options.healthzPort() > 0) {
                ops = new OpsServer(options.healthzIp(), options.healthzPort(), this::notReadyReason, metrics,
                        this::statusJson);
                LOG.info("serving healthz address={}:{}", options.healthzIp(), ops.port());
            }
            iface = interfaces.resolve(options.ifaces(), options.ifaceRegexes());
            publicIp = options.publicIp() != null ? options.publicIp() : iface.address();
            Ipv4.parse("public-ip", publicIp);
            LOG.info("starting iface={} address={} publicIp={} store={}", iface.name(), iface.address(), publicIp,
                    options.storeName());
            store = stores.get(options.storeName()).create(options.storeOptions());
        }
        NetworkConfig cfg = awaitConfig();
        if (cfg == null) {
            return;
        }
        synchronized (lifecycle) {
            if (closing) {
                return;
            }
            config = cfg;
            BackendProvider backendProvider = backends.get(cfg.backend().type());
            subnetFile = new SubnetEnvFile(options.subnetFile());
            SubnetAllocator allocator = new SubnetAllocator(store, cfg, options.timings().ttl(), new SecureRandom());
            keeper = new LeaseKeeper(store, allocator, clock, options.timings(), this::leaseChanged);
            Optional<Ipv4Subnet> previous = subnetFile.previousSubnet();
            waitingFor = "acquiring a lease";
            network = backendProvider.create(new BackendContext(iface, publicIp, attrs -> keeper.acquire(attrs, previous)))
                    .register(cfg);
            writeSubnetEnv(network.lease());
            LOG.info("lease held subnet={} expires={} mtu={} subnetFile={}", network.lease().subnet(),
                    network.lease().expiration(), network.mtu(), subnetFile.path());

            if (network.forwardsPackets() && (options.ipMasq() || options.forwardRules())) {
                iptables = new IptablesManager(List.of(), cfg.network(), network.lease().subnet(), options.ipMasq(),
                        options.forwardRules(), options.iptablesResync());
                iptables.install();
            } else if (options.ipMasq()) {
                LOG.info("ip-masq ignored: the {} backend moves no packets", cfg.backend().type());
            }
            watcher = new LeaseWatcher(store, keeper::current, this::peerEvents, keeper::markLost);
            startThread("weft-network", network::run);
            startThread("weft-lease-keeper", keeper::run);
            startThread("weft-lease-watcher", watcher::run);
            if (iptables != null) {
                startThread("weft-iptables", iptables::run);
            }
            if (network.forwardsPackets()) {
                startThread("weft-drop-summary", new DropSummary(network::stats, DROP_SUMMARY_INTERVAL)::run);
            }
            waitingFor = null;
        }
        awaitReady();
    }

    /** Waits, boundedly, for the data path to come up, then says so once. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        Optional<String> reason = notReadyReason();
        while (reason.isPresent() && !closing && System.nanoTime() < deadline) {
            try {
                if (closeRequested.await(50, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            reason = notReadyReason();
        }
        if (reason.isPresent()) {
            LOG.warn("not ready after {}s reason=\"{}\"", READY_WAIT.toSeconds(), reason.get());
            return;
        }
        synchronized (lifecycle) {
            // Under the lock, so READY can never follow a STOPPING sent by close().
            if (closing) {
                return;
            }
            ready = true;
            LOG.info("ready subnet={} backend={}", network.lease().subnet(), config.backend().type());
            listener.ready();
        }
    }

    /** Reads the network config until it is there and valid; null if closed meanwhile. */
    private NetworkConfig awaitConfig() {
        Duration backoff = Duration.ofMillis(500);
        String lastProblem = null;
        while (!closing) {
            try {
                NetworkConfig cfg = NetworkConfigParser.parse(store.readNetworkConfig());
                LOG.info("network config network={} subnetLen={} subnetMin={} subnetMax={} backend={}", cfg.network(),
                        cfg.subnetLen(), cfg.subnetMin(), cfg.subnetMax(), cfg.backend().type());
                return cfg;
            } catch (WeftException e) {
                waitingFor = "waiting for network config: " + e.getMessage();
                if (!e.getMessage().equals(lastProblem)) {
                    LOG.warn("no usable network config yet error=\"{}\"; retrying every {}s at most", e.getMessage(),
                            MAX_CONFIG_BACKOFF.toSeconds());
                    lastProblem = e.getMessage();
                }
            }
            try {
                if (closeRequested.await(backoff.toMillis(), TimeUnit.MILLISECONDS)) {
                    return null;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
            backoff = backoff.multipliedBy(2).compareTo(MAX_CONFIG_BACKOFF) > 0 ? MAX_CONFIG_BACKOFF : backoff.multipliedBy(2);
        }
        return null;
    }

    private void peerEvents(List<LeaseEvent> events, boolean live) {
        network.handleEvents(events);
        Instant now = clock.instant();
        for (LeaseEvent e : events) {
            // Only live changes: a resync reports leases written hours ago.
            if (live && e instanceof LeaseEvent.Added added && !added.lease().isReservation()) {
                Instant written = added.lease().expiration().minus(options.timings().ttl());
                metrics.observeRouteLatency(Duration.between(written, now).toNanos() / 1e9);
            }
            LOG.info("peer {} subnet={}{}", e instanceof LeaseEvent.Added ? "added" : "removed", e.subnet(),
                    e instanceof LeaseEvent.Added a ? " publicIp=" + a.lease().attrs().publicIp() : "");
        }
    }

    private void leaseChanged(Lease lease) {
        try {
            network.leaseChanged(lease);
            if (iptables != null) {
                iptables.subnetChanged(lease.subnet());
            }
        } finally {
            writeSubnetEnv(lease);
            LeaseWatcher w = watcher;
            if (w != null) {
                w.requestResync();
            }
        }
    }

    private void writeSubnetEnv(Lease lease) {
        subnetFile.write(new SubnetEnv(config.network(), lease.subnet(), network.mtu(), options.ipMasq()));
    }

    private interface Loop {
        void run() throws InterruptedException;
    }

    private void startThread(String name, Loop loop) {
        Thread t = new Thread(() -> {
            try {
                loop.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (Throwable e) {
                failure.compareAndSet(null, e);
                LOG.error("thread {} failed: {}", name, e.toString());
            } finally {
                stopped.countDown();
            }
        }, name);
        threads.add(t);
        t.start();
    }

    /** Why the daemon is not ready, or empty when it is. */
    public Optional<String> notReadyReason() {
        if (closing) {
            return Optional.of("shutting down");
        }
        String waiting = waitingFor;
        if (waiting != null) {
            return Optional.of(waiting);
        }
        if (currentLease().isEmpty()) {
            return Optional.of("no lease held");
        }
        if (!network.isUp()) {
            return Optional.of("data path not up");
        }
        return Optional.empty();
    }

    /** This host's lease now, if it holds one. */
    public Optional<Lease> currentLease() {
        LeaseKeeper k = keeper;
        return k == null ? Optional.empty() : k.current();
    }

    /** This host's lease; only after {@link #start()} returned. */
    public Lease lease() {
        return currentLease().orElseThrow(() -> new IllegalStateException("the daemon holds no lease"));
    }

    /** The network config the daemon runs with, once read. */
    public Optional<NetworkConfig> config() {
        return Optional.ofNullable(config);
    }

    /** The peers known now. */
    public Map<Ipv4Subnet, Lease> peers() {
        LeaseWatcher w = watcher;
        return w == null ? Map.of() : w.peers();
    }

    /** The port of the local HTTP endpoint, if it runs. */
    public Optional<Integer> healthzPort() {
        synchronized (lifecycle) {
            return ops == null ? Optional.empty() : Optional.of(ops.port());
        }
    }

    private NetworkStats stats() {
        Network n = network;
        return n == null ? NetworkStats.NONE : n.stats();
    }

    private double secondsToExpiry() {
        Optional<Lease> l = currentLease();
        if (l.isEmpty()) {
            return Double.NaN;
        }
        if (l.get().isReservation()) {
            return Double.POSITIVE_INFINITY;
        }
        return Duration.between(clock.instant(), l.get().expiration()).toMillis() / 1000.0;
    }

    private String statusJson() {
        Network n = network;
        return StatusJson.render(currentLease().orElse(null), config, n == null ? 0 : n.mtu(), ready && !closing, peers(),
                stats());
    }

    /**
     * Blocks until a loop ends (which only happens on close or failure).
     *
     * @return the failure that ended it, if any
     */
    public Optional<Throwable> awaitStop(long timeout, TimeUnit unit) throws InterruptedException {
        stopped.await(timeout, unit);
        return Optional.ofNullable(failure.get());
    }

    private void revokeLease() {
        Optional<Lease> held = currentLease();
        if (held.isEmpty()) {
            return;
        }
        try {
            store.deleteLease(held.get().subnet());
            LOG.info("lease revoked subnet={}", held.get().subnet());
        } catch (WeftException e) {
            LOG.warn("lease not revoked subnet={} error=\"{}\"; it expires by its TTL", held.get().subnet(), e.getMessage());
        }
    }

    /**
     * Stops the loops and releases the data path and the store, in reverse start order. Keeps the lease
     * unless told to revoke it.
     */
    @Override
    public void close() {
        closing = true;
        closeRequested.countDown();
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            LOG.info("stopping");
            listener.stopping();
            if (watcher != null) {
                watcher.close();
            }
            if (keeper != null) {
                keeper.close();
            }
            if (iptables != null) {
                iptables.close();
            }
            if (network != null) {
                network.close();
            }
            long deadline = System.nanoTime() + STOP_BUDGET.toNanos();
            for (int i = threads.size() - 1; i >= 0; i--) {
                Thread t = threads.get(i);
                t.interrupt();
                try {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
                if (t.isAlive()) {
                    LOG.warn("thread {} did not stop within {}s; leaving it", t.getName(), STOP_BUDGET.toSeconds());
                }
            }
            if (store != null) {
                if (options.revokeLeaseOnExit()) {
                    revokeLease();
                }
                store.close();
            }
            if (ops != null) {
                ops.close();
            }
            stopped.countDown();
            LOG.info("stopped");
        }
    }
}
