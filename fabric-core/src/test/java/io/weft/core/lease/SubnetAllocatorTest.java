package io.weft.core.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import io.weft.core.testing.ManualClock;
import io.weft.store.memory.InMemoryStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Allocation policy on the in-memory store. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SubnetAllocatorTest {
    private static final Duration TTL = Duration.ofHours(24);
    private static final NetworkConfig NET = NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\"}");
    private final ManualClock clock = new ManualClock();
    private final InMemoryStore store = new InMemoryStore(clock);
    private final SubnetAllocator allocator = new SubnetAllocator(store, NET, TTL, new Random(7));

    private static LeaseAttrs host(int n) {
        return LeaseAttrs.of("198.18." + (n / 250) + "." + (n % 250 + 1), "udp");
    }

    @Test
    void reusesTheLeaseAlreadyHeldForThisPublicIp() {
        Ipv4Subnet held = Ipv4Subnet.parse("10.5.77.0/24");
        store.createLease(held, host(1), TTL);
        clock.advance(Duration.ofHours(5));
        Lease got = allocator.acquire(host(1), Optional.of(Ipv4Subnet.parse("10.5.3.0/24")));
        assertEquals(held, got.subnet());
        assertEquals(clock.instant().plus(TTL), got.expiration().orElseThrow(), "reuse refreshes the TTL");
        assertEquals(1, store.listLeases().leases().size());
    }

    @Test
    void reusedReservationStaysAReservation() {
        Ipv4Subnet reserved = Ipv4Subnet.parse("10.5.9.0/24");
        store.createLease(reserved, host(1), Store.NO_TTL);
        Lease got = allocator.acquire(LeaseAttrs.of(host(1).publicIp(), "alloc"), Optional.empty());
        assertEquals(reserved, got.subnet());
        assertTrue(got.isReservation());
        assertEquals("alloc", got.attrs().backendType(), "the holder's attributes are published");
    }

    @Test
    void takesThePreviousSubnetWhenFree() {
        Ipv4Subnet previous = Ipv4Subnet.parse("10.5.34.0/24");
        assertEquals(previous, allocator.acquire(host(1), Optional.of(previous)).subnet());
    }

    @Test
    void refusesAPreviousSubnetSomeoneElseHolds() {
        Ipv4Subnet previous = Ipv4Subnet.parse("10.5.34.0/24");
        store.createLease(previous, host(2), TTL);
        Lease got = allocator.acquire(host(1), Optional.of(previous));
        assertNotEquals(previous, got.subnet());
        assertTrue(NET.fits(got.subnet()));
        Lease other = store.listLeases().leases().stream().filter(l -> l.subnet().equals(previous)).findFirst().orElseThrow();
        assertEquals(host(2), other.attrs(), "the other host keeps its subnet");
    }

    @Test
    void ignoresAPreviousSubnetOutsideTheConfig() {
        for (String outside : List.of("10.6.1.0/24", "10.5.0.0/24", "10.5.1.0/25")) {
            InMemoryStore fresh = new InMemoryStore(clock);
            Lease got = new SubnetAllocator(fresh, NET, TTL, new Random(1)).acquire(host(1),
                    Optional.of(Ipv4Subnet.parse(outside)));
            assertTrue(NET.fits(got.subnet()), outside + " -> " + got.subnet());
            assertNotEquals(outside, got.subnet().toString());
        }
    }

    @Test
    void aLeaseOfAnotherSizeBlocksTheSubnetsItOverlaps() {
        NetworkConfig small = NetworkConfigParser.parse(
                "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.1.0\",\"SubnetMax\":\"10.5.4.0\"}");
        store.createLease(Ipv4Subnet.parse("10.5.0.0/22"), host(9), TTL); // covers 10.5.1..3
        Lease got = new SubnetAllocator(store, small, TTL, new Random(3)).acquire(host(1), Optional.empty());
        assertEquals(Ipv4Subnet.parse("10.5.4.0/24"), got.subnet());
    }

    @Test
    void exhaustionSaysHowManySubnetsExistAndThatAllAreTaken() {
        NetworkConfig two = NetworkConfigParser.parse(
                "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.1.0\",\"SubnetMax\":\"10.5.2.0\"}");
        SubnetAllocator a = new SubnetAllocator(store, two, TTL, new Random(5));
        a.acquire(host(1), Optional.empty());
        a.acquire(host(2), Optional.empty());
        WeftException e = assertThrows(WeftException.class, () -> a.acquire(host(3), Optional.empty()));
        assertEquals("no free subnet in Network 10.5.0.0/16: all 2 /24 subnets from 10.5.1.0 to 10.5.2.0 are taken;"
                + " widen Network or SubnetMin/SubnetMax, or revoke unused leases", e.getMessage());
    }

    @Test
    void twoHundredHostsRacingGetDistinctSubnets() throws Exception {
        Set<Ipv4Subnet> distinct = new HashSet<>();
        for (Future<Lease> f : race(200, 200)) {
            Lease l = f.get();
            assertTrue(NET.fits(l.subnet()));
            distinct.add(l.subnet());
        }
        assertEquals(200, distinct.size());
        assertEquals(200, store.listLeases().leases().size());
    }

    @Test
    void theHostAfterTheLastSubnetGetsTheExhaustionError() throws Exception {
        // 10.5.0.0/16 with /24 subnets from 10.5.1.0 to 10.5.255.0 holds 255 subnets; 256 hosts race.
        int ok = 0;
        List<String> errors = new ArrayList<>();
        for (Future<Lease> f : race(256, 32)) {
            try {
                f.get(60, TimeUnit.SECONDS);
                ok++;
            } catch (ExecutionException e) {
                errors.add(assertInstanceOf(WeftException.class, e.getCause()).getMessage());
            }
        }
        assertEquals(255, ok);
        assertEquals(List.of("no free subnet in Network 10.5.0.0/16: all 255 /24 subnets from 10.5.1.0 to "
                + "10.5.255.0 are taken; widen Network or SubnetMin/SubnetMax, or revoke unused leases"), errors);
    }

    @Test
    void aLostCreateRaceIsRetriedNotFailed() {
        // Every host prefers the same subnet; only one can have it, and every other must still succeed.
        Ipv4Subnet contested = Ipv4Subnet.parse("10.5.100.0/24");
        Lease first = allocator.acquire(host(1), Optional.of(contested));
        Lease second = allocator.acquire(host(2), Optional.of(contested));
        assertEquals(contested, first.subnet());
        assertNotEquals(contested, second.subnet());
        assertInstanceOf(CreateResult.Exists.class, store.createLease(contested, host(3), TTL));
    }

    @Test
    void aRaceLostBetweenTheListingAndTheCreateIsCountedAndRetried() {
        // Another host creates the very subnet this one chose, just before this one's create reaches the store.
        Ipv4Subnet contested = Ipv4Subnet.parse("10.5.100.0/24");
        Store racing = (Store) java.lang.reflect.Proxy.newProxyInstance(Store.class.getClassLoader(),
                new Class<?>[] {Store.class}, (proxy, method, args) -> {
                    if (method.getName().equals("createLease") && args[0].equals(contested)
                            && store.listLeases().leases().isEmpty()) {
                        store.createLease(contested, host(9), TTL);
                    }
                    try {
                        return method.invoke(store, args);
                    } catch (java.lang.reflect.InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        SubnetAllocator a = new SubnetAllocator(racing, NET, TTL, new Random(7));
        assertEquals(0, a.lostRaces());
        Lease got = a.acquire(host(1), Optional.of(contested));
        assertNotEquals(contested, got.subnet());
        assertEquals(1, a.lostRaces());
        assertEquals(host(9), store.listLeases().leases().stream().filter(l -> l.subnet().equals(contested))
                .findFirst().orElseThrow().attrs());
    }

    @Test
    void leasesNamingHugeSubnetsCostMemoryByTheirNumberNotTheirSize() {
        // A config with 2^30 subnets, and keys an etcd writer made for a half and a quarter of the address space.
        NetworkConfig everything = NetworkConfigParser.parse("{\"Network\":\"0.0.0.0/0\",\"SubnetLen\":30}");
        store.createLease(Ipv4Subnet.parse("0.0.0.0/1"), host(8), TTL);
        store.createLease(Ipv4Subnet.parse("128.0.0.0/2"), host(9), TTL);
        SubnetAllocator a = new SubnetAllocator(store, everything, TTL, new Random(3));
        a.acquire(host(7), Optional.empty()); // loads the classes, so only the allocation below is counted

        com.sun.management.ThreadMXBean threads =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        Lease got = a.acquire(host(1), Optional.of(Ipv4Subnet.parse("64.0.0.0/30")));
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;

        assertTrue(Ipv4Subnet.parse("192.0.0.0/2").contains(got.subnet()), got.toString());
        assertTrue(allocated < 4 << 20, "allocated " + allocated + " bytes (a set of 2^29 bits is 64 MB)");
    }

    /** {@code hosts} hosts allocate at once on {@code threads} threads; the futures complete when all are done. */
    private List<Future<Lease>> race(int hosts, int threads) throws InterruptedException {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Lease>> futures = new ArrayList<>();
        for (int i = 0; i < hosts; i++) {
            LeaseAttrs attrs = host(i);
            futures.add(pool.submit(() -> {
                go.await();
                return allocator.acquire(attrs, Optional.empty());
            }));
        }
        go.countDown();
        pool.shutdown();
        if (!pool.awaitTermination(60, TimeUnit.SECONDS)) {
            pool.shutdownNow();
            throw new AssertionError("allocations did not finish in 60 s");
        }
        return futures;
    }
}
