package io.weft.core.daemon;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.lease.LeaseKeeper;
import io.weft.core.lease.LeaseWatcher;
import io.weft.core.lease.SubnetAllocator;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.ExternalInterface;
import io.weft.core.spi.backend.Network;
import io.weft.core.plugin.PluginRegistry;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreProvider;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon: wires the store, the network config, the backend, the lease keeper and the lease watcher,
 * and runs each long-lived loop on a named thread it owns. Start-up is {@link #start()}; shutdown is
 * {@link #close()}, in the reverse order. The lease is kept on shutdown, so a restart reuses it.
 * Thread-safe for one start and one close.
 */
public final class Daemon implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Daemon.class);
    private static final long JOIN_MILLIS = 3000;

    private final DaemonOptions options;
    private final PluginRegistry<StoreProvider> stores;
    private final PluginRegistry<BackendProvider> backends;
    private final ExternalInterfaceResolver interfaces;
    private final Clock clock;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final List<Thread> threads = new ArrayList<>();

    private Store store;
    private Network network;
    private LeaseKeeper keeper;
    private LeaseWatcher watcher;
    private SubnetEnvFile subnetFile;
    private NetworkConfig config;
    private boolean closed;

    public Daemon(DaemonOptions options, PluginRegistry<StoreProvider> stores, PluginRegistry<BackendProvider> backends,
            ExternalInterfaceResolver interfaces, Clock clock) {
        this.options = Objects.requireNonNull(options, "options is null");
        this.stores = Objects.requireNonNull(stores, "stores is null");
        this.backends = Objects.requireNonNull(backends, "backends is null");
        this.interfaces = Objects.requireNonNull(interfaces, "interfaces is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
    }

    /** Sets everything up and starts the loops; fails with a {@link WeftException} saying what is wrong. */
    public synchronized void start() {
        ExternalInterface iface = interfaces.resolve(options.ifaces(), options.ifaceRegexes());
        String publicIp = options.publicIp() != null ? options.publicIp() : iface.address();
        Ipv4.parse("public-ip", publicIp);
        LOG.info("starting iface={} address={} publicIp={} store={}", iface.name(), iface.address(), publicIp,
                options.storeName());

        StoreProvider storeProvider = stores.get(options.storeName());
        store = storeProvider.create(options.storeOptions());
        config = NetworkConfigParser.parse(store.readNetworkConfig());
        LOG.info("network config network={} subnetLen={} subnetMin={} subnetMax={} backend={}", config.network(),
                config.subnetLen(), config.subnetMin(), config.subnetMax(), config.backend().type());
        BackendProvider backendProvider = backends.get(config.backend().type());

        subnetFile = new SubnetEnvFile(options.subnetFile());
        SubnetAllocator allocator = new SubnetAllocator(store, config, options.timings().ttl(), new SecureRandom());
        keeper = new LeaseKeeper(store, allocator, clock, options.timings(), this::leaseChanged);
        Optional<Ipv4Subnet> previous = subnetFile.previousSubnet();
        network = backendProvider.create(new BackendContext(iface, publicIp, attrs -> keeper.acquire(attrs, previous)))
                .register(config);
        writeSubnetEnv(network.lease());
        LOG.info("lease held subnet={} expires={} mtu={} subnetFile={}", network.lease().subnet(),
                network.lease().expiration(), network.mtu(), subnetFile.path());

        watcher = new LeaseWatcher(store, keeper::current, network::handleEvents, keeper::markLost);
        startThread("weft-network", network::run);
        startThread("weft-lease-keeper", keeper::run);
        startThread("weft-lease-watcher", watcher::run);
    }

    private void leaseChanged(Lease lease) {
        network.leaseChanged(lease);
        writeSubnetEnv(lease);
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

    /** This host's lease now. */
    public Lease lease() {
        return keeper.current().orElseThrow();
    }

    /** The network config the daemon runs with. */
    public NetworkConfig config() {
        return config;
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

    /** Stops the loops and releases the data path and the store, in reverse start order. Keeps the lease. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        LOG.info("stopping");
        if (watcher != null) {
            watcher.close();
        }
        if (keeper != null) {
            keeper.close();
        }
        if (network != null) {
            network.close();
        }
        for (int i = threads.size() - 1; i >= 0; i--) {
            Thread t = threads.get(i);
            t.interrupt();
            try {
                t.join(JOIN_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (store != null) {
            store.close();
        }
        stopped.countDown();
        LOG.info("stopped");
    }
}
