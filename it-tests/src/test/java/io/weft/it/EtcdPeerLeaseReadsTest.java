package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.lease.LeaseWatcher;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Other hosts' leases cost a daemon's watcher no etcd read: its first listing of the leases already there, and the
 * creations and renewals it is then told of, make zero {@code LeaseTimeToLive} calls, by etcd's own count. At 5,000
 * hosts one call per event per watcher was about 300 reads a second. A listing that shows expirations (what
 * {@code weft leases list} asks for) still reads them, one call per etcd lease, which shows that the count counts.
 */
@Testcontainers
class EtcdPeerLeaseReadsTest {
    private static final int EXISTING = 100;
    private static final int NEW = 200;
    private static final Duration TTL = Duration.ofHours(24);
    private static final Pattern TTL_CALLS = Pattern.compile("(?m)^grpc_server_started_total\\{"
            + "grpc_method=\"LeaseTimeToLive\",grpc_service=\"etcdserverpb.Lease\"[^}]*} (\\S+)$");

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    private static Ipv4Subnet subnet(int i) {
        return EtcdContainer.hostSubnet(i);
    }

    private static LeaseAttrs host(int i) {
        return EtcdContainer.hostAttrs(i);
    }

    /** How many {@code LeaseTimeToLive} calls etcd has started so far, from anyone. */
    private static long ttlCalls() throws IOException, InterruptedException {
        return ETCD.metric(TTL_CALLS);
    }

    private static Lease create(Store store, int i) {
        return ((CreateResult.Created) store.createLease(subnet(i), host(i), TTL)).lease();
    }

    @Test
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void otherHostsNewAndRenewedLeasesCostTheWatcherNoTtlRead() throws Exception {
        String prefix = EtcdStores.freshPrefix();
        try (Store watched = EtcdStores.open(prefix, ETCD); Store others = EtcdStores.open(prefix, ETCD)) {
            List<Lease> held = new ArrayList<>();
            for (int i = 0; i < EXISTING; i++) {
                held.add(create(others, i));
            }
            long before = ttlCalls();

            LeaseWatcher watcher = new LeaseWatcher(watched, Optional::empty, (events, live) -> { }, s -> { });
            Thread thread = new Thread(() -> {
                try {
                    watcher.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "peer-lease-reads-test");
            thread.start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> watcher.peers().size() == EXISTING
                        && watcher.watchOpens() == 1);
                for (int i = EXISTING; i < EXISTING + NEW; i++) {
                    held.add(create(others, i));
                }
                // Every host renews once: a fresh etcd lease for each key, as a daemon's renewal makes.
                for (Lease l : held) {
                    others.renewLease(l, TTL).orElseThrow();
                }
                await().atMost(Duration.ofSeconds(60)).until(() -> watcher.peers().size() == EXISTING + NEW
                        && watcher.renewals() == EXISTING + NEW);

                assertEquals(before, ttlCalls(), "LeaseTimeToLive calls for a first listing of " + EXISTING
                        + " leases, " + NEW + " new leases and " + (EXISTING + NEW) + " renewals");
                assertEquals(1, watcher.watchOpens());
            } finally {
                thread.interrupt();
                thread.join(10_000);
            }

            // A listing that shows expirations reads each one: one call per etcd lease the store did not grant itself.
            List<Lease> shown = watched.listLeases(l -> true).leases();
            assertEquals(EXISTING + NEW, shown.size());
            assertTrue(shown.stream().allMatch(l -> l.expiration().isPresent()), "every expiration read");
            assertEquals(before + EXISTING + NEW, ttlCalls(), "LeaseTimeToLive calls of a listing that shows them");
        }
    }
}
