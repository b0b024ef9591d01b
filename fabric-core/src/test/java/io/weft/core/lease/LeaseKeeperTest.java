package io.weft.core.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.testing.ManualClock;
import io.weft.store.memory.InMemoryStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Renewal, expiry and re-acquisition of this host's lease, on a manual clock with no real waiting. */
class LeaseKeeperTest {
    private static final NetworkConfig NET = NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\"}");
    private static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofHours(24), Duration.ofMinutes(60),
            Duration.ofMinutes(1));
    private static final LeaseAttrs ME = LeaseAttrs.of("198.18.0.1", "alloc");
    private static final Ipv4Subnet MINE = Ipv4Subnet.parse("10.5.34.0/24");

    private final ManualClock clock = new ManualClock();
    private final InMemoryStore store = new InMemoryStore(clock);
    private final List<Lease> changes = new ArrayList<>();
    private final LeaseKeeper keeper = new LeaseKeeper(store,
            new SubnetAllocator(store, NET, TIMINGS.ttl(), new Random(11)), clock, TIMINGS, changes::add);

    @Test
    void renewsOnlyOnceTheTimeLeftDropsBelowTheMargin() {
        Lease first = keeper.acquire(ME, Optional.of(MINE));
        Instant due = first.expiration().minus(TIMINGS.renewMargin());
        assertEquals(due, keeper.step(), "the first round is due at expiry minus the margin");
        assertEquals(first, keeper.current().orElseThrow(), "nothing renewed early");

        clock.advance(Duration.ofHours(23).plusMinutes(1));
        Instant next = keeper.step();
        Lease renewed = keeper.current().orElseThrow();
        assertEquals(clock.instant().plus(TIMINGS.ttl()), renewed.expiration());
        assertEquals(renewed.expiration(), store.listLeases().leases().get(0).expiration(), "renewed in the store");
        assertEquals(renewed.expiration().minus(TIMINGS.renewMargin()), next);
        assertTrue(changes.isEmpty(), "a renewal is not a change of lease");
    }

    @Test
    void aFailedRenewalIsRetriedAfterTheRetryInterval() {
        keeper.acquire(ME, Optional.of(MINE));
        clock.advance(Duration.ofHours(23).plusMinutes(30));
        store.close();
        Instant next = keeper.step();
        assertEquals(clock.instant().plus(TIMINGS.retryInterval()), next);
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
        assertEquals(clock.instant().plus(TIMINGS.ttl()), changes.get(0).expiration());
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
        assertEquals(clock.instant().plus(TIMINGS.retryInterval()), k.step(), "the failure is retried");
        assertTrue(taken.isEmpty());
        k.step();
        assertEquals(List.of(k.current().orElseThrow()), taken, "the same new lease, handed over again");
        assertEquals(1, k.failures());
    }

    @Test
    void markLostForAnotherSubnetIsIgnored() {
        keeper.acquire(ME, Optional.of(MINE));
        keeper.markLost(Ipv4Subnet.parse("10.5.99.0/24"));
        keeper.step();
        assertTrue(changes.isEmpty());
    }
}
