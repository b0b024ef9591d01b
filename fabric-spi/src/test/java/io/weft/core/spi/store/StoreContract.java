package io.weft.core.spi.store;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The behaviour every {@link Store} must show. Each store's test extends this and says how to make a
 * fresh, empty store and how to let time pass for TTLs.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StoreContract {
    protected static final String CONFIG = "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}";
    protected static final Duration DAY = Duration.ofHours(24);
    private static final Ipv4Subnet A = Ipv4Subnet.parse("100.96.1.0/24");
    private static final Ipv4Subnet B = Ipv4Subnet.parse("100.96.2.0/24");
    private static final LeaseAttrs HOST1 = LeaseAttrs.of("198.18.0.1", "udp");
    private static final LeaseAttrs HOST2 = LeaseAttrs.of("198.18.0.2", "udp");

    protected Store store;

    /** A fresh store holding no leases and no network config. */
    protected abstract Store newStore();

    /** Discards the store's change history up to and including {@code revision}, as etcd's compaction does. */
    protected abstract void compact(Store store, long revision);

    /** Lets {@code d} pass for the store's TTL clock (advance a manual clock, or really wait). */
    protected abstract void passTime(Duration d) throws InterruptedException;

    /** The shortest TTL the store can honour, used by the expiry test. */
    protected Duration shortTtl() {
        return Duration.ofSeconds(2);
    }

    /** The store's notion of now, to check expirations against. */
    protected abstract Instant now();

    @BeforeEach
    void openStore() {
        store = newStore();
    }

    @AfterEach
    void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void missingConfigSaysHowToProvideIt() {
        WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
        assertTrue(e.getMessage().contains("not found"), e.getMessage());
    }

    @Test
    void configRoundTrips() {
        store.writeNetworkConfig(CONFIG);
        assertEquals(CONFIG, store.readNetworkConfig());
    }

    @Test
    void createIsCreateIfAbsent() {
        CreateResult first = store.createLease(A, HOST1, DAY);
        Lease created = assertInstanceOf(CreateResult.Created.class, first).lease();
        assertEquals(A, created.subnet());
        assertEquals(HOST1, created.attrs());

        CreateResult second = store.createLease(A, HOST2, DAY);
        assertEquals(new CreateResult.Exists(A), second);
        assertEquals(HOST1, only(store.listLeases()).attrs(), "the loser must not overwrite the winner");
    }

    @Test
    void listedLeaseCarriesAttrsAndTheExpirationAskedFor() {
        LeaseAttrs attrs = new LeaseAttrs("198.18.0.7", null, "udp",
                JsonNodeFactory.instance.objectNode().put("PublicKey", "abc"));
        store.createLease(A, attrs, DAY);
        Lease listed = only(store.listLeases(l -> true));
        assertEquals(attrs, listed.attrs());
        assertFalse(listed.isReservation());
        long secondsLeft = Duration.between(now(), listed.expiration().orElseThrow()).toSeconds();
        assertTrue(secondsLeft > DAY.toSeconds() - 60 && secondsLeft <= DAY.toSeconds() + 1, "left " + secondsLeft);
    }

    @Test
    void aListingReadsTheExpirationOfTheSelectedLeasesOnly() {
        Lease createdA = created(store.createLease(A, HOST1, DAY));
        store.createLease(B, HOST2, DAY);
        List<Lease> listed = store.listLeases(l -> l.subnet().equals(B)).leases().stream()
                .sorted((x, y) -> x.subnet().compareTo(y.subnet())).toList();
        assertEquals(List.of(A, B), listed.stream().map(Lease::subnet).toList());
        assertEquals(Lease.Expiry.UNREAD, listed.get(0).expiry(), "not selected");
        assertFalse(listed.get(0).isReservation(), "unread, yet known to expire");
        assertEquals(createdA.revision(), listed.get(0).revision());
        assertTrue(listed.get(1).expiration().isPresent(), "selected");
        assertTrue(store.listLeases().leases().stream().allMatch(l -> l.expiry().equals(Lease.Expiry.UNREAD)),
                "a plain listing reads no expiration");
    }

    @Test
    void aLeaseReadWithoutItsExpirationCanBeRenewedAndUpdated() {
        store.createLease(A, HOST1, DAY);
        Lease listed = only(store.listLeases());
        Lease renewed = store.renewLease(listed, DAY).orElseThrow();
        assertTrue(renewed.expiration().isPresent(), "a renewal knows the expiration it set");
        Lease updated = store.updateLease(renewed, HOST2, DAY).orElseThrow();
        assertTrue(updated.expiration().isPresent());
        assertEquals(HOST2, only(store.listLeases()).attrs());
    }

    @Test
    void watchedLeasesComeWithTheirExpirationUnread() throws InterruptedException {
        long from = store.listLeases().revision();
        Lease held = created(store.createLease(A, HOST1, DAY));
        store.renewLease(held, DAY).orElseThrow();
        store.createLease(B, HOST2, Store.NO_TTL);
        List<LeaseEvent> events = collect(from, 3);
        List<Lease.Expiry> expiries = events.stream()
                .map(e -> assertInstanceOf(LeaseEvent.Added.class, e).lease().expiry()).toList();
        assertEquals(List.of(Lease.Expiry.UNREAD, Lease.Expiry.UNREAD, Lease.Expiry.NEVER), expiries);
    }

    @Test
    void reservationHasNoExpiration() throws InterruptedException {
        store.createLease(A, HOST1, Store.NO_TTL);
        passTime(shortTtl().multipliedBy(2));
        Lease listed = only(store.listLeases(l -> true));
        assertTrue(listed.expiration().isEmpty());
        assertTrue(listed.isReservation());
        assertTrue(only(store.listLeases()).isReservation(), "known without reading an expiration");
    }

    @Test
    void updateChangesAttrsOfTheLeaseItReadOnly() {
        Lease held = created(store.createLease(A, HOST1, DAY));
        LeaseAttrs changed = LeaseAttrs.of("198.18.0.1", "ipsec");
        Lease updated = store.updateLease(held, changed, DAY).orElseThrow();
        assertEquals(changed, updated.attrs());
        assertEquals(changed, only(store.listLeases()).attrs());

        assertTrue(store.deleteLease(A));
        assertTrue(store.updateLease(updated, HOST1, DAY).isEmpty(), "update of a deleted lease must not create it");
        assertTrue(store.listLeases().leases().isEmpty());
    }

    @Test
    void leasesCarryTheRevisionThatWroteThem() throws InterruptedException {
        long from = store.listLeases().revision();
        Lease held = created(store.createLease(A, HOST1, DAY));
        assertTrue(held.revision() > from, held + " after revision " + from);
        assertEquals(held.revision(), only(store.listLeases()).revision(), "listed");
        Lease renewed = store.renewLease(held, DAY).orElseThrow();
        assertTrue(renewed.revision() > held.revision(), renewed + " after " + held);
        assertEquals(renewed.revision(), only(store.listLeases()).revision(), "listed after the renewal");
        List<LeaseEvent> events = collect(from, 2);
        assertEquals(List.of(held.revision(), renewed.revision()), events.stream()
                .map(e -> assertInstanceOf(LeaseEvent.Added.class, e).lease().revision()).toList(), "watched");
    }

    @Test
    void renewalOfALeaseDeletedAndCreatedByAnotherHostLeavesTheOtherHostsLease() {
        Lease mine = created(store.createLease(A, HOST1, DAY));
        store.deleteLease(A);
        Lease theirs = created(store.createLease(A, HOST2, shortTtl().multipliedBy(30)));

        assertTrue(store.renewLease(mine, DAY).isEmpty(), "the lease read is gone: the renewal is refused");
        Lease listed = only(store.listLeases(l -> true));
        assertEquals(HOST2, listed.attrs(), "the other host's value survives");
        assertEquals(theirs.revision(), listed.revision(), "untouched");
        assertEquals(theirs.expiration(), listed.expiration(), "with its own TTL");
    }

    @Test
    void renewalOfALeaseSomeoneChangedSinceItWasReadIsRefused() {
        Lease mine = created(store.createLease(A, HOST1, DAY));
        Lease changed = store.updateLease(mine, HOST2, DAY).orElseThrow();

        assertTrue(store.renewLease(mine, DAY).isEmpty(), "the lease read is not the lease held any more");
        assertEquals(HOST2, only(store.listLeases()).attrs());
        assertEquals(changed.revision(), only(store.listLeases()).revision());
        assertTrue(store.updateLease(changed, HOST1, DAY).isPresent(), "the current one can still be updated");
    }

    @Test
    void renewalNeverTurnsAReservationIntoAnExpiringLease() throws InterruptedException {
        Lease mine = created(store.createLease(A, HOST1, DAY));
        store.deleteLease(A);
        store.createLease(A, HOST2, Store.NO_TTL);

        assertTrue(store.renewLease(mine, DAY).isEmpty());
        passTime(shortTtl().multipliedBy(2));
        Lease listed = only(store.listLeases());
        assertEquals(HOST2, listed.attrs());
        assertTrue(listed.isReservation(), "the reservation stands: " + listed);
    }

    @Test
    void anUpdateToNoTtlReplacesALeaseWithAReservationThatOutlivesTheOldTtl() throws InterruptedException {
        Lease theirs = created(store.createLease(A, HOST1, shortTtl()));
        Lease reserved = store.updateLease(theirs, HOST2, Store.NO_TTL).orElseThrow();
        assertTrue(reserved.isReservation());

        passTime(shortTtl().plusSeconds(2));
        Lease listed = only(store.listLeases());
        assertEquals(HOST2, listed.attrs());
        assertTrue(listed.isReservation(), listed.toString());
    }

    @Test
    void aLeaseNotReadFromTheStoreMatchesNothing() {
        store.createLease(A, HOST1, DAY);
        assertTrue(store.updateLease(new Lease(A, HOST1, null), HOST2, DAY).isEmpty());
        assertEquals(HOST1, only(store.listLeases()).attrs());
    }

    @Test
    void concurrentRenewalsOfOneLeaseHaveExactlyOneWinner() throws Exception {
        Lease held = created(store.createLease(A, HOST1, DAY));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                LeaseAttrs attrs = LeaseAttrs.of("198.18.0." + (i + 1), "udp");
                results.add(pool.submit(() -> {
                    go.await();
                    return store.updateLease(held, attrs, DAY).isPresent();
                }));
            }
            go.countDown();
            int won = 0;
            for (Future<Boolean> f : results) {
                won += f.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, won);
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void renewExtendsExpiration() throws InterruptedException {
        Lease lease = ((CreateResult.Created) store.createLease(A, HOST1, shortTtl().multipliedBy(30))).lease();
        passTime(Duration.ofSeconds(1));
        Lease renewed = store.renewLease(lease, DAY).orElseThrow();
        assertTrue(renewed.expiration().orElseThrow().isAfter(lease.expiration().orElseThrow()));
        assertEquals(HOST1, renewed.attrs());
        long secondsLeft = Duration.between(now(), only(store.listLeases(l -> true)).expiration().orElseThrow())
                .toSeconds();
        assertTrue(secondsLeft > DAY.toSeconds() - 60, "left " + secondsLeft);
    }

    @Test
    void deleteReportsWhetherThereWasALease() {
        store.createLease(A, HOST1, DAY);
        assertTrue(store.deleteLease(A));
        assertFalse(store.deleteLease(A));
        assertTrue(store.listLeases().leases().isEmpty());
    }

    @Test
    void everyChangeAdvancesTheRevision() {
        long r0 = store.listLeases().revision();
        Lease held = created(store.createLease(A, HOST1, DAY));
        long r1 = store.listLeases().revision();
        store.updateLease(held, HOST2, DAY);
        long r2 = store.listLeases().revision();
        store.deleteLease(A);
        long r3 = store.listLeases().revision();
        assertTrue(r0 < r1 && r1 < r2 && r2 < r3, r0 + " " + r1 + " " + r2 + " " + r3);
    }

    @Test
    void watchReturnsChangesInOrder() throws InterruptedException {
        long from = store.listLeases().revision();
        store.createLease(A, HOST1, DAY);
        store.createLease(B, HOST2, DAY);
        store.deleteLease(A);

        List<LeaseEvent> events = collect(from, 3);
        assertEquals(3, events.size(), events.toString());
        assertEquals(A, assertInstanceOf(LeaseEvent.Added.class, events.get(0)).lease().subnet());
        assertEquals(HOST2, assertInstanceOf(LeaseEvent.Added.class, events.get(1)).lease().attrs());
        assertEquals(new LeaseEvent.Removed(A), events.get(2));
    }

    @Test
    void watchWithNothingNewReturnsEmptyAfterTheWait() throws InterruptedException {
        long from = store.listLeases().revision();
        WatchResult result = store.watchLeases(from, Duration.ofMillis(300));
        WatchResult.Changes changes = assertInstanceOf(WatchResult.Changes.class, result);
        assertTrue(changes.events().isEmpty());
        assertTrue(changes.revision() >= from);
    }

    @Test
    void watchWakesUpForAChangeMadeWhileWaiting() throws Exception {
        long from = store.listLeases().revision();
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try {
            Future<WatchResult> pending = pool.submit(() -> store.watchLeases(from, Duration.ofSeconds(30)));
            store.createLease(A, HOST1, DAY);
            WatchResult result = pending.get(20, TimeUnit.SECONDS);
            assertEquals(A, ((WatchResult.Changes) result).events().get(0).subnet());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void watchFromACompactedRevisionReturnsASnapshot() throws InterruptedException {
        long from = store.listLeases().revision();
        store.createLease(A, HOST1, DAY);
        store.createLease(B, HOST2, DAY);
        store.deleteLease(A);
        long latest = store.listLeases().revision();
        compact(store, latest);

        WatchResult result = store.watchLeases(from, Duration.ofSeconds(5));
        WatchResult.Compacted compacted = assertInstanceOf(WatchResult.Compacted.class, result);
        assertEquals(List.of(B), compacted.snapshot().leases().stream().map(Lease::subnet).toList());
        assertEquals(Lease.Expiry.UNREAD, compacted.snapshot().leases().get(0).expiry(), "as from listLeases()");
        assertTrue(compacted.revision() >= latest);

        WatchResult after = store.watchLeases(compacted.revision(), Duration.ofMillis(200));
        assertInstanceOf(WatchResult.Changes.class, after, "a watch from the snapshot's revision works again");
    }

    @Test
    void anOpenWatchReturnsEachChangeOnceAcrossReadsAndTheChangesThatArrivedTogetherInOneRead() throws Exception {
        long from = store.listLeases().revision();
        try (LeaseWatch watch = store.openLeaseWatch(from)) {
            store.createLease(A, HOST1, DAY);
            List<LeaseEvent> first = readAtLeast(watch, 1);
            assertEquals(List.of(A), first.stream().map(LeaseEvent::subnet).toList());

            // Three changes made while nobody reads arrive in order.
            store.createLease(B, HOST2, DAY);
            store.deleteLease(A);
            store.deleteLease(B);
            List<LeaseEvent> rest = readAtLeast(watch, 3);
            assertEquals(List.of(B, A, B), rest.stream().map(LeaseEvent::subnet).toList());

            WatchResult quiet = watch.next(Duration.ofMillis(200));
            assertTrue(assertInstanceOf(WatchResult.Changes.class, quiet).events().isEmpty(), quiet.toString());
        }
    }

    @Test
    void anOpenWatchFromACompactedRevisionReturnsASnapshot() throws InterruptedException {
        long from = store.listLeases().revision();
        store.createLease(A, HOST1, DAY);
        store.createLease(B, HOST2, DAY);
        compact(store, store.listLeases().revision());
        try (LeaseWatch watch = store.openLeaseWatch(from)) {
            WatchResult.Compacted compacted = assertInstanceOf(WatchResult.Compacted.class, watch.next(Duration.ofSeconds(5)));
            assertEquals(2, compacted.snapshot().leases().size());
        }
    }

    /** Reads until {@code count} events came, in at most two reads (the changes may still be on their way). */
    private static List<LeaseEvent> readAtLeast(LeaseWatch watch, int count) throws InterruptedException {
        List<LeaseEvent> events = new ArrayList<>();
        for (int reads = 0; reads < 2 && events.size() < count; reads++) {
            events.addAll(assertInstanceOf(WatchResult.Changes.class, watch.next(Duration.ofSeconds(5))).events());
        }
        return events;
    }

    @Test
    void leaseExpiresAfterItsTtlAndTheWatchSaysSo() throws InterruptedException {
        long from = store.listLeases().revision();
        store.createLease(A, HOST1, shortTtl());
        store.createLease(B, HOST2, DAY);
        passTime(shortTtl().plusSeconds(1));
        await().atMost(Duration.ofSeconds(15)).until(() -> store.listLeases().leases().size() == 1);
        assertEquals(B, only(store.listLeases()).subnet());

        List<LeaseEvent> events = collect(from, 3);
        assertEquals(new LeaseEvent.Removed(A), events.get(events.size() - 1), events.toString());
    }

    @Test
    void concurrentCreatesOfOneSubnetHaveExactlyOneWinner() throws Exception {
        int threads = 16;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        try {
            List<Future<CreateResult>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                LeaseAttrs attrs = LeaseAttrs.of("198.18.0." + (i + 1), "udp");
                Callable<CreateResult> c = () -> {
                    go.await();
                    return store.createLease(A, attrs, DAY);
                };
                results.add(pool.submit(c));
            }
            go.countDown();
            int created = 0;
            for (Future<CreateResult> f : results) {
                if (f.get(30, TimeUnit.SECONDS) instanceof CreateResult.Created) {
                    created++;
                }
            }
            assertEquals(1, created);
            assertEquals(1, store.listLeases().leases().size());
        } finally {
            pool.shutdownNow();
        }
    }

    private List<LeaseEvent> collect(long from, int atLeast) throws InterruptedException {
        List<LeaseEvent> events = new ArrayList<>();
        long rev = from;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (events.size() < atLeast && System.nanoTime() < deadline) {
            WatchResult r = store.watchLeases(rev, Duration.ofSeconds(2));
            events.addAll(assertInstanceOf(WatchResult.Changes.class, r).events());
            rev = r.revision();
        }
        return events;
    }

    private static Lease created(CreateResult result) {
        return assertInstanceOf(CreateResult.Created.class, result).lease();
    }

    private static Lease only(LeaseSnapshot snapshot) {
        assertEquals(1, snapshot.leases().size(), snapshot.leases().toString());
        return snapshot.leases().get(0);
    }
}
