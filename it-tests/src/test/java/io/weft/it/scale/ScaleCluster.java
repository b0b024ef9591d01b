package io.weft.it.scale;

import io.weft.core.config.NetworkConfigParser;
import io.weft.core.lease.LeaseKeeper;
import io.weft.core.lease.LeaseTimings;
import io.weft.core.lease.LeaseWatcher;
import io.weft.core.lease.SubnetAllocator;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.model.NetworkConfig;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.store.etcd.EtcdStoreProvider;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * N simulated hosts on one etcd, each a real {@link LeaseKeeper} (with its {@link SubnetAllocator}) and a real
 * {@link LeaseWatcher}, run on their own threads as the daemon runs them, sharing a handful of etcd stores
 * (clients) round-robin: a thousand jetcd clients, each with its own event loop, would measure the JVM rather than
 * etcd. The watchers hand their peer events to a recorder that notes when a probe lease arrived; the data path
 * itself is measured apart ({@code RouteTableHeap}, the JMH route lookup). Used by {@code ScaleColdStartTest} and
 * {@code ScaleBench}; the threads are its own, stopped by {@link #close()}.
 *
 * <p>Two things differ from N real hosts, both because the N share one JVM on two cores rather than having a
 * machine each: the watchers start once every host holds its lease (their work, which a real host does on its own
 * CPU, would otherwise slow the simulated allocations), and at most {@link #SYNCING} of them read their first
 * listing at the same moment (N listings of N leases at once would need N² lease objects in one heap).
 */
public final class ScaleCluster implements AutoCloseable {
    /** A Network with 16,383 /24 subnets: room for 5,000 hosts with a random choice that rarely collides. */
    public static final String CONFIG = "{\"Network\":\"100.64.0.0/10\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"udp\"}}";
    private static final Duration TTL = Duration.ofHours(24);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
    /** The daemon exits when its first acquisition fails; systemd starts it again after this ({@code RestartSec}). */
    private static final Duration RESTART_DELAY = Duration.ofSeconds(5);
    private static final int MAX_STARTS = 5;
    /** Watchers that read their first listing at the same moment. */
    static final int SYNCING = 32;

    private final int hosts;
    private final List<Store> stores = new ArrayList<>();
    private final NetworkConfig config;
    private final List<Host> members = new ArrayList<>();
    private final CountDownLatch go = new CountDownLatch(1);
    private final CountDownLatch leased;
    private final CountDownLatch watchersGo = new CountDownLatch(1);
    private final java.util.concurrent.Semaphore syncing = new java.util.concurrent.Semaphore(SYNCING);
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicInteger restarts = new AtomicInteger();
    private final AtomicLong lastLeaseNanos = new AtomicLong();
    private final Map<String, Probe> probes = new ConcurrentHashMap<>();
    private volatile WeftFailure firstFailure;
    private long startNanos;

    /** One simulated host: its keeper, watcher and the threads that run them. */
    private record Host(int index, String publicIp, SubnetAllocator allocator, LeaseKeeper keeper,
            LeaseWatcher watcher, Thread keeperThread, Thread watcherThread) {
    }

    private record WeftFailure(String publicIp, Throwable error) {
    }

    /** A lease created to time its arrival at every watcher. */
    private static final class Probe {
        final long createdNanos;
        final CountDownLatch arrivals;
        final AtomicLong lastArrivalNanos = new AtomicLong();

        Probe(long createdNanos, int watchers) {
            this.createdNanos = createdNanos;
            this.arrivals = new CountDownLatch(watchers);
        }
    }

    /**
     * Opens {@code clients} stores on {@code endpoint} under {@code prefix}, writes the network config, and builds
     * {@code hosts} hosts (not started).
     */
    public ScaleCluster(String endpoint, String prefix, int hosts, int clients) {
        this.hosts = hosts;
        this.leased = new CountDownLatch(hosts);
        for (int i = 0; i < clients; i++) {
            stores.add(new EtcdStoreProvider().create(new StoreOptions(prefix, List.of(endpoint), null, null, null,
                    null, null, null, REQUEST_TIMEOUT)));
        }
        stores.get(0).writeNetworkConfig(CONFIG);
        config = NetworkConfigParser.parse(stores.get(0).readNetworkConfig());
        for (int i = 0; i < hosts; i++) {
            members.add(host(i));
        }
    }

    /** The PublicIP of host {@code i}: 198.18.0.0/15 holds 131,072. */
    public static String publicIp(int i) {
        return "198." + (18 + i / 65_536) + "." + (i / 256 % 256) + "." + (i % 256);
    }

    private Host host(int i) {
        String ip = publicIp(i);
        Store store = stores.get(i % stores.size());
        SubnetAllocator allocator = new SubnetAllocator(store, config, TTL, new SplittableRandom(i));
        LeaseKeeper keeper = new LeaseKeeper(store, allocator, HostClock.system(), LeaseTimings.DEFAULT, l -> { });
        LeaseWatcher watcher = new LeaseWatcher(store, keeper::current, this::record, keeper::markLost);
        Thread watcherThread = new Thread(null, () -> runQuietly(() -> {
            watchersGo.await();
            syncing.acquire();
            try {
                watcher.poll(Duration.ZERO); // the first listing
            } catch (RuntimeException e) {
                // run() lists again, with the daemon's backoff and its log line
            } finally {
                syncing.release();
            }
            watcher.run();
        }), "scale-watcher-" + i, 256 << 10);
        Thread keeperThread = new Thread(null, () -> {
            try {
                go.await();
                for (int start = 1; ; start++) {
                    try {
                        keeper.acquire(LeaseAttrs.of(ip, "udp"), Optional.empty());
                        break;
                    } catch (RuntimeException e) {
                        if (start == MAX_STARTS) {
                            throw e;
                        }
                        restarts.incrementAndGet();
                        Thread.sleep(RESTART_DELAY.toMillis());
                    }
                }
                lastLeaseNanos.accumulateAndGet(System.nanoTime(), Math::max);
                watcherThread.start();
                leased.countDown();
                keeper.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failed.incrementAndGet();
                if (firstFailure == null) {
                    firstFailure = new WeftFailure(ip, e);
                }
                leased.countDown();
            }
        }, "scale-keeper-" + i, 256 << 10);
        return new Host(i, ip, allocator, keeper, watcher, keeperThread, watcherThread);
    }

    private interface Body {
        void run() throws InterruptedException;
    }

    private static void runQuietly(Body body) {
        try {
            body.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void record(List<LeaseEvent> events, boolean live) {
        if (probes.isEmpty()) {
            return;
        }
        long now = System.nanoTime();
        for (LeaseEvent e : events) {
            if (e instanceof LeaseEvent.Added added) {
                Probe p = probes.get(added.lease().attrs().publicIp());
                if (p != null) {
                    p.lastArrivalNanos.accumulateAndGet(now, Math::max);
                    p.arrivals.countDown();
                }
            }
        }
    }

    /** Starts every host at once: a cold start of the whole cluster. */
    public void start() {
        for (Host h : members) {
            h.keeperThread().start();
        }
        startNanos = System.nanoTime();
        go.countDown();
    }

    /**
     * Waits until every host holds a lease (or failed) and returns the time from the start to the last lease.
     *
     * @throws AssertionError when a host failed, or not all finished within {@code timeout}
     */
    public Duration awaitLeases(Duration timeout) throws InterruptedException {
        if (!leased.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError(leased.getCount() + " of " + hosts + " hosts hold no lease after " + timeout);
        }
        WeftFailure f = firstFailure;
        if (f != null) {
            throw new AssertionError(failed.get() + " hosts failed to get a lease; the first, " + f.publicIp() + ": "
                    + f.error(), f.error());
        }
        return Duration.ofNanos(lastLeaseNanos.get() - startNanos);
    }

    /** Starts the watchers (each host's once it holds its lease), after {@link #awaitLeases}. */
    public void startWatchers() {
        watchersGo.countDown();
    }

    /** How many hosts' watchers know all the other hosts' leases as peers. */
    public int convergedWatchers() {
        int n = 0;
        for (Host h : members) {
            if (h.watcher().peers().size() == hosts - 1) {
                n++;
            }
        }
        return n;
    }

    /** Each subnet held by more than one host counts once per extra holder, by what the keepers hold. */
    public int duplicateSubnets() {
        Map<Ipv4Subnet, Integer> holders = new HashMap<>();
        for (Host h : members) {
            h.keeper().current().ifPresent(l -> holders.merge(l.subnet(), 1, Integer::sum));
        }
        return holders.values().stream().mapToInt(c -> c - 1).sum();
    }

    /** The leases etcd holds, and how many distinct PublicIPs they name. */
    public List<Lease> storedLeases() {
        return stores.get(0).listLeases().leases();
    }

    /** Hosts' first acquisitions that failed (etcd too busy), each followed by a start again as systemd does. */
    public int restarts() {
        return restarts.get();
    }

    /** Lease watch failures all the watchers recovered from. */
    public long watchRecoveries() {
        return members.stream().mapToLong(h -> h.watcher().recoveries()).sum();
    }

    /** Races lost by all the hosts' allocations together. */
    public long lostRaces() {
        return members.stream().mapToLong(h -> h.allocator().lostRaces()).sum();
    }

    /** Watch streams opened by all the watchers together. */
    public long watchOpens() {
        return members.stream().mapToLong(h -> h.watcher().watchOpens()).sum();
    }

    /** Batches of peer events (route-table rebuilds in a daemon) delivered to all the watchers together. */
    public long peerBatches() {
        return members.stream().mapToLong(h -> h.watcher().peerBatches()).sum();
    }

    public int hosts() {
        return hosts;
    }

    public int clients() {
        return stores.size();
    }

    /**
     * Creates one lease for a new host on a free subnet and waits until every watcher has it.
     *
     * @return the time from just before the create to its arrival at the last watcher
     */
    public Duration propagate(int probe, Duration timeout) throws InterruptedException {
        String ip = publicIp(hosts + probe);
        Ipv4Subnet subnet = freeSubnet(probe);
        Store store = stores.get(probe % stores.size());
        long created = System.nanoTime();
        Probe p = new Probe(created, hosts);
        probes.put(ip, p);
        store.createLease(subnet, LeaseAttrs.of(ip, "udp"), TTL);
        if (!p.arrivals.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("probe lease " + subnet + " reached " + (hosts - p.arrivals.getCount()) + " of "
                    + hosts + " watchers within " + timeout);
        }
        probes.remove(ip);
        store.deleteLease(subnet);
        return Duration.ofNanos(p.lastArrivalNanos.get() - p.createdNanos);
    }

    /** A subnet no host holds: counted down from the top of the Network, one per probe. */
    private Ipv4Subnet freeSubnet(int probe) {
        java.util.Set<Ipv4Subnet> held = new java.util.HashSet<>();
        for (Host h : members) {
            h.keeper().current().ifPresent(l -> held.add(l.subnet()));
        }
        for (long i = config.subnetCount() - 1 - probe; i >= 0; i--) {
            Ipv4Subnet s = config.subnetAt(i);
            if (!held.contains(s)) {
                return s;
            }
        }
        throw new AssertionError("no free subnet for a probe");
    }

    /** Stops every thread (bounded join) and closes the stores. */
    @Override
    public void close() throws InterruptedException {
        for (Host h : members) {
            h.keeperThread().interrupt();
            h.watcherThread().interrupt();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        for (Host h : members) {
            for (Thread t : List.of(h.keeperThread(), h.watcherThread())) {
                long left = deadline - System.nanoTime();
                if (left > 0 && t.isAlive()) {
                    t.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                }
            }
        }
        stores.forEach(Store::close);
    }
}
