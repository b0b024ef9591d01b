package io.weft.core.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.LeaseWatch;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.WatchResult;
import io.weft.core.testing.ManualClock;
import io.weft.store.memory.InMemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The watcher's peer events, including resync after compaction. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class LeaseWatcherTest {
    private static final Duration TTL = Duration.ofHours(24);
    private static final Duration NO_WAIT = Duration.ofMillis(50);
    private static final Ipv4Subnet MINE = Ipv4Subnet.parse("10.5.1.0/24");

    private final ManualClock clock = new ManualClock();
    private final InMemoryStore store = new InMemoryStore(clock);
    private final Lease own = ((CreateResult.Created) store.createLease(MINE, peer(1), TTL)).lease();
    private final List<LeaseEvent> delivered = new ArrayList<>();
    private final List<Ipv4Subnet> lost = new ArrayList<>();
    private final LeaseWatcher watcher = new LeaseWatcher(store, () -> Optional.of(own),
            (events, live) -> delivered.addAll(events), lost::add);

    private static LeaseAttrs peer(int n) {
        return LeaseAttrs.of("198.18.0." + n, "udp");
    }

    private static Ipv4Subnet subnet(int third) {
        return Ipv4Subnet.parse("10.5." + third + ".0/24");
    }

    @Test
    void firstPollReportsExistingPeersButNotThisHost() throws InterruptedException {
        store.createLease(subnet(2), peer(2), TTL);
        store.createLease(subnet(3), peer(3), TTL);
        watcher.poll(NO_WAIT);
        assertEquals(Set.of(subnet(2), subnet(3)), subnets(delivered));
        assertTrue(delivered.stream().allMatch(e -> e instanceof LeaseEvent.Added));
        assertTrue(lost.isEmpty());
    }

    @Test
    void laterChangesArriveAsEventsInOrder() throws InterruptedException {
        watcher.poll(NO_WAIT);
        Lease two = ((CreateResult.Created) store.createLease(subnet(2), peer(2), TTL)).lease();
        store.deleteLease(subnet(2));
        Lease four = ((CreateResult.Created) store.createLease(subnet(4), peer(4), TTL)).lease();
        watcher.poll(NO_WAIT);
        // As a watch gives them: with the expiration unread.
        assertEquals(List.of(new LeaseEvent.Added(unread(two)), new LeaseEvent.Removed(subnet(2)),
                new LeaseEvent.Added(unread(four))), delivered);
        assertEquals(Set.of(subnet(4)), watcher.peers().keySet());
    }

    @Test
    void oneWatchServesEveryPollAndEachPollsChangesAreOneBatch() throws InterruptedException {
        watcher.poll(NO_WAIT);
        for (int i = 2; i < 12; i++) {
            store.createLease(subnet(i), peer(i), TTL);
            store.createLease(subnet(100 + i), peer(100 + i), TTL);
            watcher.poll(NO_WAIT);
        }
        watcher.poll(NO_WAIT);
        assertEquals(20, watcher.peers().size());
        assertEquals(1, watcher.watchOpens(), "one watch, opened after the snapshot");
        assertEquals(10, watcher.peerBatches(), "one batch of two events per poll that found changes");

        // A compaction ends the watch; the next poll opens one from the snapshot's revision.
        store.createLease(subnet(50), peer(50), TTL);
        store.compact(store.revision());
        watcher.poll(NO_WAIT);
        store.createLease(subnet(51), peer(51), TTL);
        watcher.poll(NO_WAIT);
        assertEquals(2, watcher.watchOpens());
        assertEquals(22, watcher.peers().size());
        watcher.close();
    }

    @Test
    void peersThatCameAndWentDuringACompactedGapArriveAsTheRightEvents() throws InterruptedException {
        store.createLease(subnet(2), peer(2), TTL); // stays
        store.createLease(subnet(3), peer(3), TTL); // removed during the gap
        watcher.poll(NO_WAIT);
        delivered.clear();

        // The gap: the watcher is not polling while peers come and go, then history is compacted.
        store.deleteLease(subnet(3));
        store.createLease(subnet(5), peer(5), TTL); // added during the gap
        store.createLease(subnet(6), peer(6), TTL); // added and removed during the gap
        store.deleteLease(subnet(6));
        update(subnet(2), LeaseAttrs.of("198.18.0.22", "udp")); // changed during the gap
        store.compact(store.revision());

        watcher.poll(NO_WAIT);
        Set<String> got = delivered.stream().map(LeaseWatcherTest::describe).collect(Collectors.toSet());
        assertEquals(Set.of("removed 10.5.3.0/24", "added 10.5.5.0/24 198.18.0.5", "added 10.5.2.0/24 198.18.0.22"), got);
        assertEquals(Set.of(subnet(2), subnet(5)), watcher.peers().keySet());

        // and the watch carries on normally from the snapshot's revision
        delivered.clear();
        store.createLease(subnet(7), peer(7), TTL);
        watcher.poll(NO_WAIT);
        assertEquals(List.of("added 10.5.7.0/24 198.18.0.7"), delivered.stream().map(LeaseWatcherTest::describe).toList());
    }

    @Test
    void aResyncAfterALostWatchReportsOnlyTheDifference() throws InterruptedException {
        store.createLease(subnet(2), peer(2), TTL);
        watcher.poll(NO_WAIT);
        delivered.clear();
        watcher.invalidate();
        store.createLease(subnet(3), peer(3), TTL);
        watcher.poll(NO_WAIT);
        assertEquals(List.of("added 10.5.3.0/24 198.18.0.3"), delivered.stream().map(LeaseWatcherTest::describe).toList());
    }

    @Test
    void aWatchThatFailedIsClosedAndAnotherIsOpenedAfterTheResync() throws InterruptedException {
        List<String> closed = new ArrayList<>();
        java.util.concurrent.atomic.AtomicInteger opened = new java.util.concurrent.atomic.AtomicInteger();
        Store failingOnce = (Store) java.lang.reflect.Proxy.newProxyInstance(Store.class.getClassLoader(),
                new Class<?>[] {Store.class}, (proxy, method, args) -> {
                    if (method.getName().equals("openLeaseWatch")) {
                        LeaseWatch real = store.openLeaseWatch((Long) args[0]);
                        int n = opened.incrementAndGet();
                        return new LeaseWatch() {
                            @Override
                            public WatchResult next(Duration maxWait) throws InterruptedException {
                                if (n == 1) {
                                    throw new WeftException("cannot reach etcd at http://127.0.0.1:2379: connection refused");
                                }
                                return real.next(maxWait);
                            }

                            @Override
                            public void close() {
                                closed.add("watch " + n);
                                real.close();
                            }
                        };
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        LeaseWatcher w = new LeaseWatcher(failingOnce, () -> Optional.of(own), (events, live) -> delivered.addAll(events),
                lost::add);
        w.poll(NO_WAIT);
        assertThrows(WeftException.class, () -> w.poll(NO_WAIT));
        assertEquals(List.of("watch 1"), closed, "the failed watch is closed at once");
        w.invalidate(); // as run() does after a failure
        store.createLease(subnet(4), peer(4), TTL);
        w.poll(NO_WAIT); // the resync finds the new peer
        store.createLease(subnet(5), peer(5), TTL);
        w.poll(NO_WAIT); // a new watch
        assertEquals(Set.of(subnet(4), subnet(5)), w.peers().keySet());
        assertEquals(2, w.watchOpens());
        w.close();
        assertEquals(List.of("watch 1", "watch 2"), closed);
    }

    @Test
    void thisHostsLeaseDeletedOrExpiredIsReportedAsLost() throws InterruptedException {
        watcher.poll(NO_WAIT);
        store.deleteLease(MINE);
        watcher.poll(NO_WAIT);
        assertEquals(List.of(MINE), lost);
        assertTrue(delivered.isEmpty(), "this host's lease is never a peer");
    }

    @Test
    void thisHostsLeaseTakenByAnotherHostIsReportedAsLost() throws InterruptedException {
        watcher.poll(NO_WAIT);
        update(MINE, peer(9));
        watcher.poll(NO_WAIT);
        assertEquals(List.of(MINE), lost);
    }

    @Test
    void thisHostsLeaseMissingFromASnapshotIsReportedAsLost() throws InterruptedException {
        store.deleteLease(MINE);
        watcher.poll(NO_WAIT);
        assertEquals(List.of(MINE), lost);
    }

    @Test
    void aLeaseWithThisHostsAddressIsNeverAPeer() throws InterruptedException {
        store.createLease(subnet(8), peer(1), TTL); // e.g. re-acquired under a new subnet, not yet adopted
        watcher.poll(NO_WAIT);
        store.createLease(subnet(9), peer(1), TTL);
        watcher.poll(NO_WAIT);
        assertTrue(delivered.isEmpty(), delivered.toString());
    }

    @Test
    void aRequestedResyncReportsTheLeaseOnThisHostsOldSubnetAsAPeer() throws InterruptedException {
        Lease[] mine = {own};
        LeaseWatcher w = new LeaseWatcher(store, () -> Optional.of(mine[0]), (events, live) -> delivered.addAll(events),
                lost::add);
        w.poll(NO_WAIT);
        // Another host takes this host's subnet; this host moves to another one.
        update(MINE, peer(9));
        w.poll(NO_WAIT);
        assertEquals(List.of(MINE), lost);
        mine[0] = ((CreateResult.Created) store.createLease(subnet(40), peer(1), TTL)).lease();
        w.requestResync();
        w.poll(NO_WAIT);
        assertEquals(List.of("added 10.5.1.0/24 198.18.0.9"), delivered.stream().map(LeaseWatcherTest::describe).toList());
    }

    @Test
    void eventsTheBackendRefusedAreReportedAgainAfterTheResync() throws InterruptedException {
        boolean[] fail = {true};
        LeaseWatcher w = new LeaseWatcher(store, () -> Optional.of(own), (events, live) -> {
            if (fail[0]) {
                throw new IllegalStateException("backend busy");
            }
            delivered.addAll(events);
        }, lost::add);
        store.createLease(subnet(2), peer(2), TTL);
        assertThrows(IllegalStateException.class, () -> w.poll(NO_WAIT));
        fail[0] = false;
        w.invalidate();
        w.poll(NO_WAIT);
        assertEquals(List.of("added 10.5.2.0/24 198.18.0.2"), delivered.stream().map(LeaseWatcherTest::describe).toList());
    }

    @Test
    void onlyWatchedChangesAreLive() throws InterruptedException {
        List<Boolean> lives = new ArrayList<>();
        LeaseWatcher w = new LeaseWatcher(store, () -> Optional.of(own), (events, live) -> lives.add(live), lost::add);
        store.createLease(subnet(2), peer(2), TTL);
        w.poll(NO_WAIT);
        store.createLease(subnet(3), peer(3), TTL);
        w.poll(NO_WAIT);
        assertEquals(List.of(false, true), lives);
    }

    @Test
    void anExpiredPeerIsRemoved() throws InterruptedException {
        store.createLease(subnet(2), peer(2), Duration.ofMinutes(5));
        watcher.poll(NO_WAIT);
        delivered.clear();
        clock.advance(Duration.ofMinutes(6));
        watcher.poll(NO_WAIT);
        assertEquals(List.of(new LeaseEvent.Removed(subnet(2))), delivered);
    }

    @Test
    void aRenewalIsCountedNotReportedAndAChangeOfAttributesIsReported() throws InterruptedException {
        Lease first = ((CreateResult.Created) store.createLease(subnet(2), peer(2), TTL)).lease();
        watcher.poll(NO_WAIT);
        delivered.clear();

        clock.advance(Duration.ofHours(1));
        Lease renewed = store.renewLease(first, TTL).orElseThrow();
        watcher.poll(NO_WAIT);
        assertEquals(List.of(), delivered, "a renewal changes no route");
        assertEquals(1, watcher.renewals());
        assertEquals(renewed.revision(), watcher.peers().get(subnet(2)).revision(), "the peer table keeps the renewed lease");

        update(subnet(2), peer(22));
        watcher.poll(NO_WAIT);
        assertEquals(List.of("added 10.5.2.0/24 198.18.0.22"), delivered.stream().map(LeaseWatcherTest::describe).toList());
        assertEquals(1, watcher.renewals());
    }

    @Test
    void aResyncCountsRenewalsItFindsAndReportsOnlyRealChanges() throws InterruptedException {
        Lease first = ((CreateResult.Created) store.createLease(subnet(2), peer(2), TTL)).lease();
        store.createLease(subnet(3), peer(3), TTL);
        watcher.poll(NO_WAIT);
        delivered.clear();

        clock.advance(Duration.ofHours(1));
        store.renewLease(first, TTL).orElseThrow();
        update(subnet(3), peer(33));
        watcher.invalidate();
        watcher.poll(NO_WAIT);
        assertEquals(List.of("added 10.5.3.0/24 198.18.0.33"), delivered.stream().map(LeaseWatcherTest::describe).toList());
        assertEquals(1, watcher.renewals());
    }

    /** Another host changes the lease of {@code s}, as it now stands in the store. */
    private void update(Ipv4Subnet s, LeaseAttrs a) {
        Lease now = store.listLeases().leases().stream().filter(l -> l.subnet().equals(s)).findFirst().orElseThrow();
        store.updateLease(now, a, TTL).orElseThrow();
    }

    private static Set<Ipv4Subnet> subnets(List<LeaseEvent> events) {
        return new HashSet<>(events.stream().map(LeaseEvent::subnet).toList());
    }

    private static String describe(LeaseEvent e) {
        return e instanceof LeaseEvent.Added a ? "added " + a.subnet() + " " + a.lease().attrs().publicIp()
                : "removed " + e.subnet();
    }

    private static Lease unread(Lease l) {
        return new Lease(l.subnet(), l.attrs(), Lease.Expiry.UNREAD, l.revision());
    }
}
