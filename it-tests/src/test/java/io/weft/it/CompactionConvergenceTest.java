package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.lease.LeaseWatcher;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.WatchResult;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * Peers come and go while a host's watcher is cut off from etcd, etcd compacts the history it missed,
 * and the watcher still ends up with exactly the right peer set, reporting only the difference.
 */
@Testcontainers
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class CompactionConvergenceTest {
    private static final Duration DAY = Duration.ofHours(24);
    private static final Ipv4Subnet OWN = Ipv4Subnet.parse("10.5.1.0/24");
    private static final Ipv4Subnet B = Ipv4Subnet.parse("10.5.2.0/24");
    private static final Ipv4Subnet C = Ipv4Subnet.parse("10.5.3.0/24");
    private static final Ipv4Subnet D = Ipv4Subnet.parse("10.5.4.0/24");
    private static final Ipv4Subnet E = Ipv4Subnet.parse("10.5.5.0/24");

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    /** The peer set as a network would see it: the events applied in order. */
    private final Map<Ipv4Subnet, Lease> applied = new ConcurrentHashMap<>();
    private final List<Ipv4Subnet> ownLost = new CopyOnWriteArrayList<>();

    private void apply(List<LeaseEvent> events) {
        for (LeaseEvent e : events) {
            if (e instanceof LeaseEvent.Added a) {
                applied.put(a.subnet(), a.lease());
            } else {
                applied.remove(e.subnet());
            }
        }
    }

    @Test
    void watcherThatMissedCompactedChangesResyncsFromTheSnapshot() throws InterruptedException {
        String prefix = EtcdStores.freshPrefix();
        try (Store peers = EtcdStores.open(prefix, ETCD); Store mine = EtcdStores.open(prefix, ETCD)) {
            Lease own = created(peers.createLease(OWN, LeaseAttrs.of("198.18.0.1", "udp"), DAY));
            peers.createLease(B, LeaseAttrs.of("198.18.0.2", "udp"), DAY);
            Lease c = created(peers.createLease(C, LeaseAttrs.of("198.18.0.3", "udp"), DAY));
            LeaseWatcher watcher = new LeaseWatcher(mine, () -> Optional.of(own), (events, live) -> apply(events), ownLost::add);
            watcher.poll(Duration.ofSeconds(1));
            assertEquals(java.util.Set.of(B, C), applied.keySet());

            // Cut off (the watcher does not poll): B leaves, D joins, E joins and leaves, C changes.
            peers.deleteLease(B);
            peers.createLease(D, LeaseAttrs.of("198.18.0.4", "udp"), DAY);
            peers.createLease(E, LeaseAttrs.of("198.18.0.5", "udp"), DAY);
            peers.deleteLease(E);
            LeaseAttrs changedC = LeaseAttrs.of("198.18.0.33", "udp");
            peers.updateLease(c, changedC, DAY).orElseThrow();
            long head = peers.listLeases().revision();
            ETCD.etcdctl("compaction", Long.toString(head));

            List<LeaseEvent> reported = watcher.poll(Duration.ofSeconds(5));
            assertTrue(reported.contains(new LeaseEvent.Removed(B)), reported.toString());
            assertTrue(reported.stream().noneMatch(e -> e.subnet().equals(E)), "E came and went unseen: " + reported);
            assertEquals(3, reported.size(), reported.toString());
            assertPeers(watcher, Map.of(C, "198.18.0.33", D, "198.18.0.4"));
            assertTrue(ownLost.isEmpty(), "own lease is still there: " + ownLost);

            // And it carries on watching from the snapshot's revision.
            peers.createLease(E, LeaseAttrs.of("198.18.0.5", "udp"), DAY);
            await().atMost(Duration.ofSeconds(20)).until(() -> !watcher.poll(Duration.ofSeconds(2)).isEmpty());
            assertPeers(watcher, Map.of(C, "198.18.0.33", D, "198.18.0.4", E, "198.18.0.5"));
        }
    }

    @Test
    void runningWatcherCutOffByTheNetworkConvergesAfterCompaction() throws Exception {
        String prefix = EtcdStores.freshPrefix();
        try (TcpProxy proxy = new TcpProxy(ETCD.getHost(), ETCD.getMappedPort(EtcdContainer.CLIENT_PORT));
                Store peers = EtcdStores.open(prefix, ETCD);
                Store mine = EtcdStores.open(EtcdStores.options(prefix, List.of(proxy.endpoint())))) {
            Lease own = created(peers.createLease(OWN, LeaseAttrs.of("198.18.0.1", "udp"), DAY));
            peers.createLease(B, LeaseAttrs.of("198.18.0.2", "udp"), DAY);
            LeaseWatcher watcher = new LeaseWatcher(mine, () -> Optional.of(own), (events, live) -> apply(events), ownLost::add);
            Thread loop = new Thread(() -> {
                try {
                    watcher.run();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }, "test-lease-watcher");
            loop.start();
            try {
                await().atMost(Duration.ofSeconds(20)).until(() -> applied.containsKey(B));

                proxy.cut();
                // The watch is broken: a store call through the proxy fails while etcd itself is fine.
                await().atMost(Duration.ofSeconds(20)).until(() -> EtcdStores.cannotReach(mine));
                peers.deleteLease(B);
                peers.createLease(C, LeaseAttrs.of("198.18.0.3", "udp"), DAY);
                peers.createLease(D, LeaseAttrs.of("198.18.0.4", "udp"), DAY);
                peers.deleteLease(D);
                ETCD.etcdctl("compaction", Long.toString(peers.listLeases().revision()));
                assertInstanceOf(WatchResult.Compacted.class, peers.watchLeases(1, Duration.ofSeconds(1)));
                proxy.restore();

                await().atMost(Duration.ofSeconds(45)).untilAsserted(
                        () -> assertEquals(Map.of(C, "198.18.0.3"), ipsOf(applied)));
                assertEquals(Map.of(C, "198.18.0.3"), ipsOf(watcher.peers()));
                assertTrue(ownLost.isEmpty(), "own lease is still there: " + ownLost);
            } finally {
                loop.interrupt();
                loop.join(TimeUnit.SECONDS.toMillis(10));
            }
        }
    }


    private void assertPeers(LeaseWatcher watcher, Map<Ipv4Subnet, String> expected) {
        assertEquals(expected, ipsOf(watcher.peers()));
        assertEquals(expected, ipsOf(applied), "events applied in order give the same peer set");
    }

    private static Map<Ipv4Subnet, String> ipsOf(Map<Ipv4Subnet, Lease> leases) {
        Map<Ipv4Subnet, String> out = new java.util.HashMap<>();
        leases.forEach((s, l) -> out.put(s, l.attrs().publicIp()));
        return out;
    }

    private static Lease created(CreateResult r) {
        return assertInstanceOf(CreateResult.Created.class, r).lease();
    }
}
