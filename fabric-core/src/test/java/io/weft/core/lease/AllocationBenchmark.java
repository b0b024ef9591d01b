package io.weft.core.lease;

import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.store.memory.InMemoryStore;
import java.security.SecureRandom;
import io.weft.core.runtime.HostClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * Allocation throughput and latency: 1,000 simulated hosts join a 100.96.0.0/12 network (4,095 /24
 * subnets) on the in-memory store, one after another and then 8 at a time. Prints medians of several
 * runs; a benchmark, not a test. Run with {@code scripts/bench-alloc}.
 */
public final class AllocationBenchmark {
    private static final int HOSTS = 1000;
    private static final int RUNS = 7;
    private static final int THREADS = 8;
    private static final NetworkConfig NET = NetworkConfigParser.parse("{\"Network\":\"100.96.0.0/12\"}");

    private AllocationBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        warmUp();
        double[] seqRate = new double[RUNS];
        double[] p50 = new double[RUNS];
        double[] p99 = new double[RUNS];
        double[] conRate = new double[RUNS];
        for (int run = 0; run < RUNS; run++) {
            long[] latencies = sequential();
            Arrays.sort(latencies);
            long total = Arrays.stream(latencies).sum();
            seqRate[run] = HOSTS / (total / 1e9);
            p50[run] = latencies[HOSTS / 2] / 1e3;
            p99[run] = latencies[HOSTS * 99 / 100] / 1e3;
            conRate[run] = concurrent();
        }
        System.out.printf("allocation benchmark: %d hosts, %s (%d subnets), in-memory store, medians of %d runs%n",
                HOSTS, NET.network(), NET.subnetCount(), RUNS);
        System.out.printf("  sequential: %.0f allocations/s, latency p50 %.1f us, p99 %.1f us%n",
                median(seqRate), median(p50), median(p99));
        System.out.printf("  %d threads:  %.0f allocations/s%n", THREADS, median(conRate));
    }

    private static void warmUp() throws Exception {
        for (int i = 0; i < 3; i++) {
            sequential();
            concurrent();
        }
    }

    private static long[] sequential() {
        InMemoryStore store = new InMemoryStore(HostClock.system());
        SubnetAllocator allocator = new SubnetAllocator(store, NET, Duration.ofHours(24), new SecureRandom());
        long[] latencies = new long[HOSTS];
        for (int i = 0; i < HOSTS; i++) {
            LeaseAttrs attrs = host(i);
            long t0 = System.nanoTime();
            allocator.acquire(attrs, Optional.empty());
            latencies[i] = System.nanoTime() - t0;
        }
        return latencies;
    }

    private static double concurrent() throws Exception {
        InMemoryStore store = new InMemoryStore(HostClock.system());
        SubnetAllocator allocator = new SubnetAllocator(store, NET, Duration.ofHours(24), new SecureRandom());
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                futures.add(pool.submit(() -> {
                    go.await();
                    for (int i = first; i < HOSTS; i += THREADS) {
                        allocator.acquire(host(i), Optional.empty());
                    }
                    return null;
                }));
            }
            long t0 = System.nanoTime();
            go.countDown();
            for (Future<?> f : futures) {
                f.get(5, TimeUnit.MINUTES);
            }
            return HOSTS / ((System.nanoTime() - t0) / 1e9);
        } finally {
            pool.shutdownNow();
        }
    }

    private static LeaseAttrs host(int i) {
        return LeaseAttrs.of("198.18." + (i / 250) + "." + (i % 250 + 1), "udp");
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v[v.length / 2];
    }
}
