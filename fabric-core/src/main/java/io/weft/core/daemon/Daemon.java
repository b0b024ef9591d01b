package io.weft.core.daemon;

import io.weft.core.WeftException;
import io.weft.core.iptables.IptablesManager;
import io.weft.core.lease.LeaseKeeper;
import io.weft.core.lease.LeaseWatcher;
import io.weft.core.lease.SubnetAllocator;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.ops.DropSummary;
import io.weft.core.ops.OpsServer;
import io.weft.core.plugin.PluginRegistry;
import io.weft.core.runtime.HostClock;
import io.weft.core.runtime.LoopThread;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.ExternalInterface;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreProvider;
import java.security.SecureRandom;
import java.time.Duration;
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
 * The daemon, and the one place its parts are wired: options → store → config → lease → backend → ops →
 * wait. Each long-lived loop runs as a {@link LoopThread} it owns.
 *
 * <p>{@link #start()} serves {@code /healthz} first, opens the store, waits for the network config
 * ({@link NetworkConfigWait}), lets the backend say what it needs in the lease, takes the lease, starts the
 * backend's data path for it, writes subnet.env, installs iptables rules and starts the loops, then waits
 * (boundedly) for the data path to come up and says READY. {@link #close()} may come at any point, from
 * another thread; it stops everything in the reverse order and keeps the lease, so a restart reuses it.
 * Thread-safe.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    /** All loops together get this long to stop before close() gives up on them. */
    private static final Duration STOP_BUDGET = Duration.ofSeconds(3);
    private static final Duration READY_WAIT = Duration.ofSeconds(30);
    private static final Duration DROP_SUMMARY_INTERVAL = Duration.ofSeconds(10);

    private final DaemonOptions options;
    private final PluginRegistry<StoreProvider> stores;
    private final PluginRegistry<BackendProvider> backends;
    private final ExternalInterfaceResolver interfaces;
    private final HostClock clock;
    private final DaemonListener listener;
    private final Readiness readiness = new Readiness();
    private final DaemonView view;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final CountDownLatch closeRequested = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<LoopThread> loops = new ArrayList<>();
    /** Guards start-up against a concurrent close(), and the fields below. */
    private final Object lifecycle = new Object();
    private Store store;
    private OpsServer ops;
    private Backend backend;
    private RunningHost host;
    private IptablesManager iptables;
    private SubnetEnvFile subnetFile;
    private boolean closed;

    public Daemon(DaemonOptions options, PluginRegistry<StoreProvider> stores, PluginRegistry<BackendProvider> backends,
            ExternalInterfaceResolver interfaces, HostClock clock, DaemonListener listener) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.stores = Objects.requireNonNull(stores, "stores is null");
        this.backends = Objects.requireNonNull(backends, "backends is null");
        this.interfaces = Objects.requireNonNull(interfaces, "interfaces is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.listener = Objects.requireNonNull(listener, "listener is null");
        this.view = new DaemonView(readiness);
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
            if (readiness.isClosing()) {
                return;
            }
            startOps();
            iface = interfaces.resolve(options.ifaces(), options.ifaceRegexes());
            publicIp = options.publicIp() != null ? options.publicIp() : iface.address();
            Ipv4.parse("public-ip", publicIp);
            LOG.info("starting iface={} address={} publicIp={} store={}", iface.name(), iface.address(), publicIp,
                    options.storeName());
            store = stores.get(options.storeName()).create(options.storeOptions());
        }
        HostAddresses own = HostAddresses.of(iface, publicIp, options.storeOptions().endpoints());
        Optional<NetworkConfig> config = NetworkConfigWait.await(store, own::check, readiness::waitingFor,
                closeRequested);
        if (config.isEmpty()) {
            return;
        }
        synchronized (lifecycle) {
            if (readiness.isClosing()) {
                return;
            }
            join(config.get(), iface, publicIp);
            readiness.started();
        }
        awaitReady();
    }

    private void startOps() {
        if (options.healthzPort() > 0) {
            ops = new OpsServer(options.healthzIp(), options.healthzPort(), view::notReadyReason, view.metrics(),
                    view::statusJson);
            LOG.info("serving healthz address={}:{}", options.healthzIp(), ops.port());
        }
    }

    /** Config → lease → backend → ops rules → loops. Under the lifecycle lock. */
    private void join(NetworkConfig cfg, ExternalInterface external, String publicIp) {
        view.config(cfg);
        // Backend.MTU, when set, is the underlay MTU every backend sizes its packets for.
        ExternalInterface iface = external.sizedFor(cfg.backend());
        BackendProvider provider = backends.get(cfg.backend().type());
        backend = provider.create(new BackendContext(iface, publicIp, Optional.ofNullable(options.backendStateDir()),
                Optional.ofNullable(options.backendPskFile()), options.routeResync()));
        LeaseRequest request = backend.prepare(cfg);
        int mtu = request.overlayMtu(iface);

        readiness.waitingFor("acquiring a lease");
        subnetFile = new SubnetEnvFile(options.subnetFile());
        SubnetAllocator allocator = new SubnetAllocator(store, cfg, options.timings().ttl(), new SecureRandom());
        LeaseKeeper keeper = new LeaseKeeper(store, allocator, clock, options.timings(), this::leaseChanged);
        Lease lease = keeper.acquire(new LeaseAttrs(publicIp, null, request.backendType(), request.backendData()),
                subnetFile.previousSubnet());

        Network network = backend.start(lease, mtu);
        NetworkFeed feed = new NetworkFeed(network, view.metrics()::observeRouteLatency);
        LeaseWatcher watcher = new LeaseWatcher(store, keeper::current, feed::peerEvents, keeper::markLost);
        host = new RunningHost(cfg, mtu, iface, keeper, watcher, network, feed);
        view.joined(host);
        writeSubnetEnv(lease);
        LOG.info("lease held subnet={} expires={} mtu={} subnetFile={}", lease.subnet(),
                lease.expiration().orElse(null), mtu, subnetFile.path());

        if (provider.forwardsPackets() && (options.ipMasq() || options.forwardRules())) {
            iptables = new IptablesManager(List.of(), cfg.network(), lease.subnet(), options.ipMasq(),
                    options.forwardRules(), options.iptablesResync());
            iptables.install();
        } else if (options.ipMasq()) {
            LOG.info("ip-masq ignored: the {} backend moves no packets", cfg.backend().type());
        }

        startLoop("weft-network", self -> network.run());
        startLoop("weft-lease-keeper", self -> keeper.run());
        startLoop("weft-lease-watcher", self -> watcher.run());
        List<Housekeeping.Job> jobs = Housekeeping.jobs();
        if (iptables != null) {
            IptablesManager rules = iptables;
            jobs.add(new Housekeeping.Job("iptables resync", rules.resyncInterval(), rules::resyncStep));
        }
        if (provider.forwardsPackets()) {
            DropSummary drops = new DropSummary(network::stats, DROP_SUMMARY_INTERVAL);
            drops.begin();
            jobs.add(new Housekeeping.Job("drop summary", drops.interval(), drops::step));
        }
        Housekeeping housekeeping = new Housekeeping(jobs);
        if (!housekeeping.isEmpty()) {
            startLoop("weft-housekeeping", self -> housekeeping.run());
        }
    }

    private void startLoop(String name, LoopThread.Body body) {
        // A loop that ends, by failing or by its part closing, ends the daemon: awaitStop() returns.
        loops.add(LoopThread.start(name, self -> {
            body.run(self);
            stopped.countDown();
        }, () -> { }, e -> {
            failure.compareAndSet(null, e);
            LOG.error("thread {} failed: {}", name, e.toString());
            stopped.countDown();
        }));
    }

    /** This host's lease was re-acquired (same or another subnet): tell the network and the rules, rewrite subnet.env. */
    private void leaseChanged(Lease lease) {
        RunningHost h = host;
        try {
            h.feed().leaseChanged(lease);
            if (iptables != null) {
                iptables.subnetChanged(lease.subnet());
            }
        } finally {
            writeSubnetEnv(lease);
            h.watcher().requestResync();
        }
    }

    private void writeSubnetEnv(Lease lease) {
        subnetFile.write(new SubnetEnv(host.config().network(), lease.subnet(), host.mtu(), options.ipMasq()));
    }

    /** Waits, boundedly, for the data path to come up, then says READY once. */
    private void awaitReady() {
        long deadline = System.nanoTime() + READY_WAIT.toNanos();
        Optional<String> reason = view.notReadyReason();
        while (reason.isPresent() && !readiness.isClosing() && System.nanoTime() < deadline) {
            try {
                if (closeRequested.await(50, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            reason = view.notReadyReason();
        }
        if (reason.isPresent()) {
            LOG.warn("not ready after {}s reason=\"{}\"", READY_WAIT.toSeconds(), reason.get());
            return;
        }
        synchronized (lifecycle) {
            // Under the lock, so READY can never follow a STOPPING sent by close().
            if (readiness.isClosing()) {
                return;
            }
            readiness.ready();
            LOG.info("ready subnet={} backend={}", lease().subnet(), host.config().backend().type());
            listener.ready();
        }
    }

    /** Why the daemon is not ready, or empty when it is. */
    public Optional<String> notReadyReason() {
        return view.notReadyReason();
    }

    /** This host's lease now, if it holds one. */
    public Optional<Lease> currentLease() {
        return view.currentLease();
    }

    /** This host's lease; only after {@link #start()} returned. */
    public Lease lease() {
        return currentLease().orElseThrow(() -> new IllegalStateException("the daemon holds no lease"));
    }

    /** The network config the daemon runs with, once read. */
    public Optional<NetworkConfig> config() {
        return view.config();
    }

    /** The peers known now. */
    public Map<Ipv4Subnet, Lease> peers() {
        return view.peers();
    }

    /** The port of the local HTTP endpoint, if it runs. */
    public Optional<Integer> healthzPort() {
        synchronized (lifecycle) {
            return ops == null ? Optional.empty() : Optional.of(ops.port());
        }
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

    /**
     * Stops the loops and releases the data path and the store, in reverse start order. Keeps the lease
     * unless told to revoke it.
     */
    @Override
    public void close() {
        readiness.closing();
        closeRequested.countDown();
        synchronized (lifecycle) {
            if (closed) {
                return;
            }
            closed = true;
            LOG.info("stopping");
            listener.stopping();
            for (int i = loops.size() - 1; i >= 0; i--) {
                loops.get(i).requestStop();
            }
            if (iptables != null) {
                iptables.close();
            }
            if (host != null) {
                if (options.revokeLeaseOnExit()) {
                    // Leaving for good: the kernel state a backend keeps for a restart goes too.
                    host.network().teardown();
                }
                host.network().close();
            } else if (backend != null) {
                backend.close();
            }
            long deadline = System.nanoTime() + STOP_BUDGET.toNanos();
            for (int i = loops.size() - 1; i >= 0; i--) {
                LoopThread loop = loops.get(i);
                if (!loop.join(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())))) {
                    LOG.warn("thread {} did not stop within {}s; leaving it", loop.name(), STOP_BUDGET.toSeconds());
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
}
