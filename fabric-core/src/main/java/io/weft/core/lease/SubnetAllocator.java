package io.weft.core.lease;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.LeaseSnapshot;
import io.weft.core.spi.store.Store;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Chooses and creates this host's lease, in flannel's order: a lease already held for this PublicIP that
 * still fits the config; then the preferred (previous) subnet if nobody holds it; then a random free one.
 * Creation is create-if-absent in the store, so two hosts never share a subnet; a lost race is retried
 * against a fresh listing instead of failing. Reusing a held lease is an update conditional on the lease
 * read, so a lease that changed hands meanwhile is not taken back. What is taken is kept as ranges of
 * subnet indexes ({@link TakenRanges}), so memory grows with the number of leases, never with the size of
 * the subnets they name: a key for 0.0.0.0/1 costs one range. Thread-safe if the store and random generator
 * are.
 */
public final class SubnetAllocator {
    /** How many lost races one acquisition tolerates before it gives up. */
    static final int MAX_ATTEMPTS = 1000;
    private static final Logger LOG = LoggerFactory.getLogger(SubnetAllocator.class);

    private final Store store;
    private final NetworkConfig config;
    private final Duration ttl;
    private final RandomGenerator random;
    private final AtomicLong lostRaces = new AtomicLong();

    public SubnetAllocator(Store store, NetworkConfig config, Duration ttl, RandomGenerator random) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.config = Objects.requireNonNull(config, "config is null");
        this.ttl = Objects.requireNonNull(ttl, "ttl is null");
        this.random = Objects.requireNonNull(random, "random is null");
    }

    /**
     * How many times an acquisition lost a race (another host created the chosen subnet, or changed the lease
     * being reused, between the listing and the write) and tried again; safe from any thread.
     */
    public long lostRaces() {
        return lostRaces.get();
    }

    /**
     * Acquires a lease for {@code attrs}.
     *
     * @param preferred the subnet to take if it is free and fits, e.g. the one in the last subnet.env
     * @throws WeftException when every subnet is taken
     */
    public Lease acquire(LeaseAttrs attrs, Optional<Ipv4Subnet> preferred) {
        boolean triedPreferred = false;
        for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            LeaseSnapshot snapshot = store.listLeases();

            Optional<Lease> mine = snapshot.leases().stream()
                    .filter(l -> l.attrs().publicIp().equals(attrs.publicIp()) && config.fits(l.subnet()))
                    .findFirst();
            if (mine.isPresent()) {
                Lease held = mine.get();
                Duration keepTtl = held.isReservation() ? Store.NO_TTL : ttl;
                Optional<Lease> updated = store.updateLease(held, attrs, keepTtl);
                if (updated.isPresent()) {
                    LOG.info("lease reused subnet={} publicIp={} reservation={}", held.subnet(), attrs.publicIp(),
                            held.isReservation());
                    return updated.get();
                }
                lostRaces.incrementAndGet();
                continue;
            }

            TakenRanges taken = takenIndexes(snapshot);
            if (!triedPreferred && preferred.isPresent()) {
                triedPreferred = true;
                Ipv4Subnet want = preferred.get();
                if (!config.fits(want)) {
                    LOG.info("previous subnet ignored subnet={} reason=outside-config network={}", want,
                            config.network());
                } else if (!taken.contains(config.indexOf(want))) {
                    Optional<Lease> got = create(want, attrs);
                    if (got.isPresent()) {
                        LOG.info("lease acquired subnet={} publicIp={} source=previous", want, attrs.publicIp());
                        return got.get();
                    }
                    lostRaces.incrementAndGet();
                    continue;
                } else {
                    LOG.info("previous subnet taken subnet={}; choosing another", want);
                }
            }

            Ipv4Subnet candidate = randomFree(taken);
            Optional<Lease> got = create(candidate, attrs);
            if (got.isPresent()) {
                LOG.info("lease acquired subnet={} publicIp={} attempts={}", candidate, attrs.publicIp(), attempt);
                return got.get();
            }
            lostRaces.incrementAndGet();
            LOG.debug("lost the race for subnet={}; retrying with a fresh view", candidate);
        }
        throw new WeftException("could not acquire a subnet of Network " + config.network() + " after "
                + MAX_ATTEMPTS + " lost races: too many hosts are allocating at once; try again");
    }

    private Optional<Lease> create(Ipv4Subnet subnet, LeaseAttrs attrs) {
        CreateResult result = store.createLease(subnet, attrs, ttl);
        if (result instanceof CreateResult.Created created) {
            return Optional.of(created.lease());
        }
        return Optional.empty();
    }

    private TakenRanges takenIndexes(LeaseSnapshot snapshot) {
        TakenRanges taken = new TakenRanges();
        long lastIndex = config.subnetCount() - 1;
        long min = Integer.toUnsignedLong(config.subnetMin().base());
        long max = Integer.toUnsignedLong(config.subnetMax().last());
        for (Lease l : snapshot.leases()) {
            Ipv4Subnet s = l.subnet();
            if (!config.network().overlaps(s)) {
                continue;
            }
            // A lease of another size still blocks every subnet it overlaps.
            long first = Integer.toUnsignedLong(s.base());
            long last = Integer.toUnsignedLong(s.last());
            if (last < min || first > max) {
                continue;
            }
            long from = indexOfAddress(Math.max(first, min));
            long to = indexOfAddress(Math.min(last, max));
            taken.add(Math.max(0, from), Math.min(lastIndex, to));
        }
        return taken;
    }

    private long indexOfAddress(long address) {
        return (address - Integer.toUnsignedLong(config.subnetMin().base())) >> (32 - config.subnetLen());
    }

    private Ipv4Subnet randomFree(TakenRanges taken) {
        long count = config.subnetCount();
        long free = count - taken.size();
        if (free <= 0) {
            throw new WeftException("no free subnet in Network " + config.network() + ": all " + count + " /"
                    + config.subnetLen() + " subnets from " + Ipv4.format(config.subnetMin().base())
                    + " to " + Ipv4.format(config.subnetMax().base())
                    + " are taken; widen Network or SubnetMin/SubnetMax, or revoke unused leases");
        }
        long pick = free <= Integer.MAX_VALUE ? random.nextInt((int) free) : random.nextLong(free);
        return config.subnetAt(taken.freeIndex(pick));
    }
}
