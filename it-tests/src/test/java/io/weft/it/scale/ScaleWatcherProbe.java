package io.weft.it.scale;

import io.weft.core.lease.LeaseWatcher;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.store.etcd.EtcdStoreProvider;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * One daemon's lease watcher in a JVM of its own, run by {@code ScaleBench} with the daemon's {@code -Xmx64m}: it
 * opens the etcd store, syncs every peer of the cluster through a real {@link LeaseWatcher} (listing and watch), and
 * prints the heap that holding them costs, after a full collection, before and after, per peer. Exits non-zero when
 * the peers do not all arrive within the bound; an OutOfMemoryError ends it too.
 *
 * <p>Usage: {@code ScaleWatcherProbe ENDPOINT PREFIX PEERS}.
 */
public final class ScaleWatcherProbe {
    private ScaleWatcherProbe() {
    }

    public static void main(String[] args) throws Exception {
        String endpoint = args[0];
        String prefix = args[1];
        int peers = Integer.parseInt(args[2]);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        try (Store store = new EtcdStoreProvider().create(new StoreOptions(prefix, List.of(endpoint), null, null, null,
                null, null, null, Duration.ofSeconds(30)))) {
            store.readNetworkConfig(); // the client is connected before the baseline
            long before = usedAfterGc(memory);
            LeaseWatcher watcher = new LeaseWatcher(store, Optional::empty, (events, live) -> { }, s -> { });
            long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
            while (watcher.peers().size() < peers && System.nanoTime() < deadline) {
                watcher.poll(Duration.ofSeconds(1));
            }
            if (watcher.peers().size() < peers) {
                System.out.println("probe peers=" + watcher.peers().size() + " of " + peers);
                System.exit(1);
            }
            long after = usedAfterGc(memory);
            System.out.println("probe peers=" + watcher.peers().size() + " heap_before=" + before + " heap_after="
                    + after + " heap_max=" + memory.getHeapMemoryUsage().getMax()
                    + " bytes_per_peer=" + (after - before) / peers);
            watcher.close();
        }
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
