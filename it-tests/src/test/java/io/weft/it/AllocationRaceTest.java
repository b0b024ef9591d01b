package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.lease.SubnetAllocator;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.Store;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Many hosts allocating from one etcd at the same moment: create-if-absent in one transaction means no
 * two get the same subnet, and once the network is full the rest get the exhaustion error.
 */
@Testcontainers
class AllocationRaceTest {
    private static final String CONFIG = "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"udp\"}}";
    private static final int FIRST_WAVE = 50;
    private static final int SECOND_WAVE = 255;
    /** The second wave shares a few clients: 255 jetcd clients (each with its own event loop) would measure the JVM, not etcd. */
    private static final int SHARED_CLIENTS = 8;

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    private final List<Store> stores = new ArrayList<>();

    @AfterEach
    void closeStores() {
        stores.forEach(Store::close);
    }

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void fiftyDaemonsGetDistinctSubnetsThenTheNetworkFillsUpExactly() throws Exception {
        String prefix = EtcdStores.freshPrefix();
        NetworkConfig config;
        try (Store admin = EtcdStores.open(prefix, ETCD)) {
            admin.writeNetworkConfig(CONFIG);
            config = NetworkConfigParser.parse(admin.readNetworkConfig());
        }
        assertEquals(255, config.subnetCount());

        // Wave 1: 50 daemons, each with its own client, as separate hosts would have.
        List<Store> own = new ArrayList<>();
        for (int i = 0; i < FIRST_WAVE; i++) {
            own.add(open(prefix));
        }
        List<Outcome> first = race(FIRST_WAVE, i -> own.get(i), config, 0);
        List<Ipv4Subnet> firstSubnets = first.stream().map(o -> o.lease().orElseThrow(
                () -> new AssertionError("wave 1 allocation failed: " + o.error().orElseThrow().getMessage())).subnet())
                .toList();
        assertEquals(FIRST_WAVE, new HashSet<>(firstSubnets).size(), "distinct subnets: " + firstSubnets);

        // Wave 2: 255 more on a full-size network that has 205 free subnets left.
        List<Store> shared = new ArrayList<>();
        for (int i = 0; i < SHARED_CLIENTS; i++) {
            shared.add(open(prefix));
        }
        List<Outcome> second = race(SECOND_WAVE, i -> shared.get(i % SHARED_CLIENTS), config, FIRST_WAVE);
        List<Ipv4Subnet> won = second.stream().flatMap(o -> o.lease().stream()).map(Lease::subnet).toList();
        List<WeftException> lost = second.stream().flatMap(o -> o.error().stream()).toList();
        assertEquals(255 - FIRST_WAVE, won.size(), "successes in wave 2");
        assertEquals(SECOND_WAVE - (255 - FIRST_WAVE), lost.size(), "failures in wave 2");
        for (WeftException e : lost) {
            assertTrue(e.getMessage().startsWith("no free subnet in Network 10.5.0.0/16: all 255 /24 subnets"),
                    e.getMessage());
        }
        Set<Ipv4Subnet> all = new HashSet<>(firstSubnets);
        all.addAll(won);
        assertEquals(255, all.size(), "every subnet handed out once");

        // What etcd holds agrees: 255 leases, each with the PublicIP of the host that won it.
        List<Lease> stored = own.get(0).listLeases().leases();
        assertEquals(255, stored.size());
        Map<Ipv4Subnet, String> holder = stored.stream()
                .collect(Collectors.toMap(Lease::subnet, l -> l.attrs().publicIp()));
        for (Outcome o : first) {
            assertEquals(o.publicIp(), holder.get(o.lease().orElseThrow().subnet()));
        }
        for (Outcome o : second) {
            o.lease().ifPresent(l -> assertEquals(o.publicIp(), holder.get(l.subnet())));
        }
    }

    private Store open(String prefix) {
        Store s = EtcdStores.open(prefix, ETCD);
        stores.add(s);
        return s;
    }

    private record Outcome(String publicIp, Optional<Lease> lease, Optional<WeftException> error) {
    }

    /** Starts {@code n} allocations at one signal and waits for all of them. */
    private static List<Outcome> race(int n, Function<Integer, Store> storeOf, NetworkConfig config, int ipOffset)
            throws InterruptedException, ExecutionException {
        ExecutorService pool = Executors.newFixedThreadPool(n, named("race-" + ipOffset));
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int host = ipOffset + i;
                String publicIp = "198.18." + (host / 250) + "." + (1 + host % 250);
                SubnetAllocator allocator = new SubnetAllocator(storeOf.apply(i), config, Duration.ofHours(24),
                        new SplittableRandom(host));
                Callable<Outcome> task = () -> {
                    go.await();
                    try {
                        return new Outcome(publicIp,
                                Optional.of(allocator.acquire(LeaseAttrs.of(publicIp, "udp"), Optional.empty())),
                                Optional.empty());
                    } catch (WeftException e) {
                        return new Outcome(publicIp, Optional.empty(), Optional.of(e));
                    }
                };
                futures.add(pool.submit(task));
            }
            go.countDown();
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                outcomes.add(getWithin(f));
            }
            return outcomes;
        } finally {
            pool.shutdownNow();
        }
    }

    private static Outcome getWithin(Future<Outcome> f) throws InterruptedException, ExecutionException {
        try {
            return f.get(200, TimeUnit.SECONDS);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("an allocation did not finish within 200 s", e);
        }
    }

    private static ThreadFactory named(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> new Thread(r, prefix + "-" + n.incrementAndGet());
    }
}
