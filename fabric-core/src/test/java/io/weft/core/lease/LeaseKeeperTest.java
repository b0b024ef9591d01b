package io.weft.core.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.WatchResult;
import io.weft.core.testing.ManualClock;
import io.weft.store.memory.InMemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Renewal, expiry and re-acquisition of this host's lease, on a manual clock with no real waiting: the
 * in-memory store expires leases by the monotonic clock, as etcd does, and the wall clock can be stepped alone.
 */
class LeaseKeeperTest {
    private static final NetworkConfig NET = NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\"}");
    private static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofHours(24), Duration.ofMinutes(60),
            Duration.ofMinutes(1));
    private static final LeaseAttrs ME = LeaseAttrs.of("198.18.0.1", "alloc");
    private static final Ipv4Subnet MINE = Ipv4Subnet.parse("10.5.34.0/24");
    private static final LeaseAttrs OTHER = LeaseAttrs.of("198.18.0.99", "alloc");
    /** When a fresh lease is due for renewal: the TTL minus the renew margin. */
    private static final Duration DUE = Duration.ofHours(23);

    private final ManualClock clock = new ManualClock();
    private final InMemoryStore store = new InMemoryStore(clock);
    private final List<Lease> changes = new ArrayList<>();
    private final LeaseKeeper keeper = new LeaseKeeper(store,
            new SubnetAllocator(store, NET, TIMINGS.ttl(), new Random(11)), clock, TIMINGS, changes::add);

    @Test
    void renewsOnlyOnceTheTimeLeftDropsBelowTheMargin() {
        Lease first = keeper.acquire(ME, Optional.of(MINE));
        assertEquals(DUE, keeper.step(), "the first round is due at the TTL minus the margin");
        assertEquals(first, keeper.current().orElseThrow(), "nothing renewed early");

        clock.advance(Duration.ofHours(23).plusMinutes(1));
        Duration next = keeper.step();
        Lease renewed = keeper.current().orElseThrow();
        assertEquals(clock.instant().plus(TIMINGS.ttl()), renewed.expiration().orElseThrow());
        assertEquals(renewed.expiration(), store.listLeases(l -> true).leases().get(0).expiration(),
                "renewed in the store");
        assertEquals(DUE, next);
        assertTrue(changes.isEmpty(), "a renewal is not a change of lease");
    }

    @Test
    void aFailedRenewalIsRetriedAfterTheRetryInterval() {
        keeper.acquire(ME, Optional.of(MINE));
        clock.advance(Duration.ofHours(23).plusMinutes(30));
        store.close();
        assertEquals(TIMINGS.retryInterval(), keeper.step());
        assertEquals(MINE, keeper.current().orElseThrow().subnet(), "the lease is kept while the store is away");
    }

    @Test
    void anExpiredLeaseIsReacquiredWithTheSameSubnet() {
        keeper.acquire(ME, Optional.of(MINE));
        clock.advance(Duration.ofHours(25));
        assertTrue(store.listLeases().leases().isEmpty(), "the store expired it");
        keeper.step();
        assertEquals(MINE, keeper.current().orElseThrow().subnet());
        assertEquals(List.of(MINE), store.listLeases().leases().stream().map(Lease::subnet).toList());
        assertEquals(1, changes.size());
        assertEquals(clock.instant().plus(TIMINGS.ttl()), changes.get(0).expiration().orElseThrow());
    }

    @Test
    void aDeletedLeaseIsReacquiredAtOnceWhenMarkedLost() {
        keeper.acquire(ME, Optional.of(MINE));
        store.deleteLease(MINE);
        keeper.markLost(MINE);
        keeper.step();
        assertEquals(MINE, keeper.current().orElseThrow().subnet());
        assertEquals(1, store.listLeases().leases().size());
        assertEquals(MINE, changes.get(0).subnet());
    }

    @Test
    void aLeaseThatVanishesBeforeRenewalIsReacquired() {
        keeper.acquire(ME, Optional.of(MINE));
        store.deleteLease(MINE);
        clock.advance(Duration.ofHours(23).plusMinutes(30));
        keeper.step(); // renewal finds the lease gone
        assertTrue(changes.isEmpty());
        keeper.step(); // and the next round re-acquires it
        assertEquals(MINE, keeper.current().orElseThrow().subnet());
        assertEquals(1, changes.size());
    }

    @Test
    void whenTheOldSubnetWasTakenMeanwhileAnotherIsAcquired() {
        keeper.acquire(ME, Optional.of(MINE));
        store.deleteLease(MINE);
        store.createLease(MINE, LeaseAttrs.of("198.18.0.99", "alloc"), TIMINGS.ttl());
        keeper.markLost(MINE);
        keeper.step();
        Lease now = keeper.current().orElseThrow();
        assertNotEquals(MINE, now.subnet());
        assertEquals(now, changes.get(0));
        assertFalse(store.listLeases().leases().stream()
                .anyMatch(l -> l.subnet().equals(MINE) && l.attrs().equals(ME)));
    }

    @Test
    void aLeaseChangeTheDataPathRefusedIsHandedOverAgain() {
        int[] calls = {0};
        List<Lease> taken = new ArrayList<>();
        LeaseKeeper k = new LeaseKeeper(store, new SubnetAllocator(store, NET, TIMINGS.ttl(), new Random(11)), clock,
                TIMINGS, l -> {
                    if (calls[0]++ == 0) {
                        throw new IllegalStateException("cannot set the device address");
                    }
                    taken.add(l);
                });
        k.acquire(ME, Optional.of(MINE));
        store.deleteLease(MINE);
        store.createLease(MINE, LeaseAttrs.of("198.18.0.99", "alloc"), TIMINGS.ttl());
        k.markLost(MINE);
        assertEquals(TIMINGS.retryInterval(), k.step(), "the failure is retried");
        assertTrue(taken.isEmpty());
        k.step();
        assertEquals(List.of(k.current().orElseThrow()), taken, "the same new lease, handed over again");
        assertEquals(1, k.failures());
    }

    @Test
    void aRenewalAfterAnotherHostTookTheSubnetUnseenMovesAwayAndLeavesTheOtherLeaseAlone() {
        keeper.acquire(ME, Optional.of(MINE));
        // The lease went and another host created the subnet, and the watcher never said so (a watch outage).
        store.deleteLease(MINE);
        Lease theirs = ((CreateResult.Created) store.createLease(MINE, OTHER, TIMINGS.ttl())).lease();
        clock.advance(Duration.ofHours(23).plusMinutes(30));

        assertEquals(Duration.ZERO, keeper.step(), "the refused renewal marks the lease lost");
        keeper.step();
        Lease now = keeper.current().orElseThrow();
        assertNotEquals(MINE, now.subnet(), "moved to another subnet");
        assertEquals(List.of(now), changes);
        assertEquals(theirs, leaseOf(MINE), "the other host's lease is untouched: value, TTL and revision");
    }

    @Test
    void aRenewalNeverTakesOverAReservationForAnotherHost() {
        keeper.acquire(ME, Optional.of(MINE));
        store.deleteLease(MINE);
        store.createLease(MINE, OTHER, Store.NO_TTL);
        clock.advance(Duration.ofHours(23).plusMinutes(30));

        keeper.step();
        keeper.step();
        assertNotEquals(MINE, keeper.current().orElseThrow().subnet());
        Lease reserved = leaseOf(MINE);
        assertEquals(OTHER, reserved.attrs());
        assertTrue(reserved.isReservation(), "the reservation stands: " + reserved);
    }

    @Test
    void aWallClockStepBackDoesNotPutTheRenewalOffPastTheStoresExpiry() throws InterruptedException {
        Lease first = keeper.acquire(ME, Optional.of(MINE));
        long from = store.revision();
        clock.stepWallClock(Duration.ofHours(-1));
        assertEquals(DUE, keeper.step());

        clock.advance(DUE.plusMinutes(1));
        assertEquals(DUE, keeper.step(), "renewed when due by the monotonic clock");
        assertTrue(leaseOf(MINE).revision() > first.revision(), "renewed in the store");
        clock.advance(Duration.ofHours(2));
        keeper.step();
        assertEquals(List.of(MINE), store.listLeases().leases().stream().map(Lease::subnet).toList());
        assertFalse(changesSince(from).stream().anyMatch(e -> e instanceof LeaseEvent.Removed),
                "the lease never lapsed in the store");
        assertTrue(changes.isEmpty());
    }

    @Test
    void aWallClockStepForwardNeitherBringsTheRenewalForwardNorRenewsInALoop() throws InterruptedException {
        keeper.acquire(ME, Optional.of(MINE));
        long from = store.revision();
        clock.stepWallClock(Duration.ofHours(1));
        clock.advance(Duration.ofHours(22).plusMinutes(30));
        for (int i = 0; i < 100; i++) {
            assertEquals(Duration.ofMinutes(30), keeper.step());
        }
        assertEquals(from, store.revision(), "no renewal 30 minutes before it is due");

        clock.advance(Duration.ofMinutes(31));
        for (int i = 0; i < 100; i++) {
            keeper.step();
        }
        assertEquals(1, changesSince(from).size(), "one renewal: " + changesSince(from));
        assertTrue(changes.isEmpty());
    }

    @Test
    void aWallClockStepPastTheExpiryDoesNotDropTheLease() {
        Lease first = keeper.acquire(ME, Optional.of(MINE));
        clock.stepWallClock(Duration.ofHours(25));
        clock.advance(Duration.ofMinutes(5));
        assertEquals(DUE.minusMinutes(5), keeper.step());
        assertEquals(first, keeper.current().orElseThrow(), "still the same lease");
        assertEquals(first, leaseOf(MINE));
        assertTrue(changes.isEmpty(), "nothing re-acquired");
        assertEquals(Duration.ofHours(24).minusMinutes(5), keeper.timeLeft().orElseThrow());
    }

    @Test
    void aLeaseTheStoreExpiredIsNotKeptWhenTheWallClockWasSetBack() {
        keeper.acquire(ME, Optional.of(MINE));
        clock.stepWallClock(Duration.ofHours(-2));
        clock.advance(Duration.ofHours(25));
        assertTrue(store.listLeases().leases().isEmpty(), "the store's TTL ran out");

        keeper.step();
        assertEquals(1, changes.size(), "re-acquired, not kept");
        assertEquals(ME, leaseOf(MINE).attrs());
    }

    @Test
    void markLostForAnotherSubnetIsIgnored() {
        keeper.acquire(ME, Optional.of(MINE));
        keeper.markLost(Ipv4Subnet.parse("10.5.99.0/24"));
        keeper.step();
        assertTrue(changes.isEmpty());
    }

    /** The lease of {@code subnet} in the store, with its expiration. */
    private Lease leaseOf(Ipv4Subnet subnet) {
        return store.listLeases(l -> true).leases().stream().filter(l -> l.subnet().equals(subnet)).findFirst().orElseThrow();
    }

    private List<LeaseEvent> changesSince(long revision) throws InterruptedException {
        return ((WatchResult.Changes) store.watchLeases(revision, Duration.ZERO)).events();
    }
}
