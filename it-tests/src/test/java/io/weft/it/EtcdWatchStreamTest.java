package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.lease.LeaseWatcher;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.store.Store;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A daemon's lease watcher on real etcd keeps one watch stream: 1,000 lease changes reach it without a new watch
 * (counted by the watcher and, independently, by etcd's own count of watch requests), and a burst of 1,000 lease
 * events that piles up while the watcher is busy reaches it in a few batches, each one route-table rebuild in a
 * daemon, not 1,000.
 */
@Testcontainers
class EtcdWatchStreamTest {
    private static final int CHANGES = 1000;
    private static final Duration TTL = Duration.ofHours(24);
    private static final Pattern WATCH_REQUESTS = Pattern.compile(
            "(?m)^grpc_server_msg_received_total\\{grpc_method=\"Watch\",grpc_service=\"etcdserverpb.Watch\"[^}]*} (\\S+)$");

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    private static Ipv4Subnet subnet(int i) {
        return EtcdContainer.hostSubnet(i);
    }

    private static LeaseAttrs host(int i) {
        return EtcdContainer.hostAttrs(i);
    }

    /** What etcd says it received on Watch streams so far (create, cancel and progress requests). */
    private static long watchRequests() throws IOException, InterruptedException {
        return ETCD.metric(WATCH_REQUESTS);
    }

    private static Thread start(LeaseWatcher watcher) {
        Thread t = new Thread(() -> {
            try {
                watcher.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "watch-stream-test");
        t.start();
        return t;
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aThousandLeaseChangesArriveOverTheOneWatchStream() throws Exception {
        String prefix = EtcdStores.freshPrefix();
        try (Store watched = EtcdStores.open(prefix, ETCD); Store writer = EtcdStores.open(prefix, ETCD)) {
            LeaseWatcher watcher = new LeaseWatcher(watched, Optional::empty, (events, live) -> { }, s -> { });
            Thread thread = start(watcher);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> watcher.watchOpens() == 1);
                long requestsBefore = watchRequests();
                for (int i = 0; i < CHANGES / 2; i++) {
                    writer.createLease(subnet(i), host(i), TTL);
                }
                for (int i = 0; i < CHANGES / 2; i += 2) {
                    writer.deleteLease(subnet(i));
                }
                for (int i = 1; i < CHANGES / 2; i += 2) {
                    writer.deleteLease(subnet(i));
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> watcher.peers().isEmpty()
                        && watcher.peerBatches() > 0);
                int last = CHANGES;
                writer.createLease(subnet(last), host(last), TTL);
                await().atMost(Duration.ofSeconds(20)).until(() -> watcher.peers().containsKey(subnet(last)));

                assertEquals(1, watcher.watchOpens(), "watch streams the watcher opened");
                assertEquals(0, watcher.recoveries(), "watch failures");
                assertEquals(requestsBefore, watchRequests(), "watch requests etcd received during the changes");
            } finally {
                thread.interrupt();
                thread.join(10_000);
            }
        }
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void aBurstOfAThousandLeaseEventsReachesTheWatcherInAFewBatches() throws Exception {
        String prefix = EtcdStores.freshPrefix();
        CountDownLatch burstWritten = new CountDownLatch(1);
        AtomicInteger batches = new AtomicInteger();
        try (Store watched = EtcdStores.open(prefix, ETCD); Store writer = EtcdStores.open(prefix, ETCD)) {
            // The first batch holds the watcher up (as a slow route-table rebuild would) until the whole burst is
            // in etcd; what etcd streams meanwhile waits, and must come out in a few batches, not one per event.
            LeaseWatcher watcher = new LeaseWatcher(watched, Optional::empty, (events, live) -> {
                if (batches.incrementAndGet() == 1) {
                    try {
                        assertTrue(burstWritten.await(60, TimeUnit.SECONDS), "burst written");
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
            }, s -> { });
            Thread thread = start(watcher);
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> watcher.watchOpens() == 1);
                for (int i = 0; i < CHANGES; i++) {
                    writer.createLease(subnet(i), host(i), TTL);
                }
                burstWritten.countDown();
                await().atMost(Duration.ofSeconds(60)).until(() -> watcher.peers().size() == CHANGES);
                assertTrue(watcher.peerBatches() <= 5, "batches for a burst of " + CHANGES + ": "
                        + watcher.peerBatches());
                assertEquals(1, watcher.watchOpens());
            } finally {
                thread.interrupt();
                thread.join(10_000);
            }
        }
    }
}
