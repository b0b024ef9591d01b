package io.weft.store.memory;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.LeaseSnapshot;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.WatchResult;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The whole {@link Store} contract in one JVM: a revision counter bumped by every change, leases that
 * expire by TTL on an injectable clock, create-if-absent, updates conditional on the revision read, watches
 * from any kept revision, and compaction (explicit, or automatic once more than {@code historyLimit} changes
 * are kept). As etcd, a TTL runs on the monotonic clock, so a step of the wall clock neither expires a lease
 * early nor keeps it late; the wall clock only dates the expiration a lease shows. Expiry is applied at the
 * start of every call and when a watch's wait reaches the next deadline, each expiry being a change of its
 * own, as in etcd. As etcd's store, a listing reads a lease's expiration only when asked to, and a watch never.
 * Thread-safe: one lock guards all state, and watchers wait on its condition.
 */
public final class InMemoryStore implements Store {
    /** How many changes are kept for watchers before the oldest are compacted away. */
    public static final int DEFAULT_HISTORY_LIMIT = 10_000;

    private final HostClock clock;
    private final int historyLimit;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final TreeMap<Ipv4Subnet, Lease> leases = new TreeMap<>();
    /** The monotonic deadline ({@link HostClock#nanoTime()}) of every lease that has a TTL. */
    private final Map<Ipv4Subnet, Long> deadlines = new HashMap<>();
    private final ArrayDeque<Change> history = new ArrayDeque<>();
    private String networkConfig;
    private long revision;
    private long compactedThrough;
    /** The earliest of {@link #deadlines}, or null when none. */
    private Long nextExpiry;
    private boolean closed;

    private record Change(long revision, LeaseEvent event) {
    }

    /**
     * @param clock         the time leases expire by (monotonic) and show (wall)
     * @param networkConfig the config JSON to serve, or null until {@link #writeNetworkConfig} is called
     * @param historyLimit  how many changes to keep for watchers
     */
    public InMemoryStore(HostClock clock, String networkConfig, int historyLimit) {
        this.clock = Objects.requireNonNull(clock, "clock is null");
        if (historyLimit < 1) {
            throw new IllegalArgumentException("historyLimit must be positive, not " + historyLimit);
        }
        this.historyLimit = historyLimit;
        this.networkConfig = networkConfig;
    }

    public InMemoryStore(HostClock clock) {
        this(clock, null, DEFAULT_HISTORY_LIMIT);
    }

    @Override
    public String readNetworkConfig() {
        lock.lock();
        try {
            ensureOpen();
            if (networkConfig == null) {
                throw new WeftException("network config not found in the in-memory store; "
                        + "pass it with --net-config-path FILE");
            }
            return networkConfig;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void writeNetworkConfig(String json) {
        Objects.requireNonNull(json, "json is null");
        lock.lock();
        try {
            ensureOpen();
            networkConfig = json;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public LeaseSnapshot listLeases(Predicate<Lease> readExpiration) {
        Objects.requireNonNull(readExpiration, "readExpiration is null");
        lock.lock();
        try {
            expire();
            List<Lease> out = new ArrayList<>(leases.size());
            for (Lease held : leases.values()) {
                Lease unread = unread(held);
                out.add(held.isReservation() || !readExpiration.test(unread) ? unread : held);
            }
            return new LeaseSnapshot(out, revision);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public CreateResult createLease(Ipv4Subnet subnet, LeaseAttrs attrs, Duration ttl) {
        Objects.requireNonNull(subnet, "subnet is null");
        Objects.requireNonNull(attrs, "attrs is null");
        lock.lock();
        try {
            expire();
            if (leases.containsKey(subnet)) {
                return new CreateResult.Exists(subnet);
            }
            return new CreateResult.Created(put(subnet, attrs, ttl));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public Optional<Lease> updateLease(Lease held, LeaseAttrs attrs, Duration ttl) {
        Objects.requireNonNull(held, "held is null");
        Objects.requireNonNull(attrs, "attrs is null");
        lock.lock();
        try {
            expire();
            Lease now = leases.get(held.subnet());
            if (now == null || now.revision() != held.revision()) {
                return Optional.empty();
            }
            return Optional.of(put(held.subnet(), attrs, ttl));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean deleteLease(Ipv4Subnet subnet) {
        lock.lock();
        try {
            expire();
            if (leases.remove(subnet) == null) {
                return false;
            }
            deadlines.remove(subnet);
            record(new LeaseEvent.Removed(subnet));
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public WatchResult watchLeases(long afterRevision, Duration maxWait) throws InterruptedException {
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        lock.lock();
        try {
            while (true) {
                expire();
                if (afterRevision < compactedThrough) {
                    return new WatchResult.Compacted(listLeases());
                }
                List<LeaseEvent> events = new ArrayList<>();
                for (Change c : history) {
                    if (c.revision() > afterRevision) {
                        events.add(c.event());
                    }
                }
                if (!events.isEmpty()) {
                    return new WatchResult.Changes(events, revision);
                }
                long remaining = deadline - System.nanoTime();
                if (remaining <= 0) {
                    return new WatchResult.Changes(List.of(), Math.max(afterRevision, revision));
                }
                if (nextExpiry != null) {
                    long untilExpiry = nextExpiry - clock.nanoTime();
                    remaining = Math.min(remaining, Math.max(untilExpiry, TimeUnit.MILLISECONDS.toNanos(1)));
                }
                changed.awaitNanos(remaining);
            }
        } finally {
            lock.unlock();
        }
    }

    /** Discards change history up to and including {@code toRevision}, as etcd's compaction does; this store's own API, not the SPI's. */
    public void compact(long toRevision) {
        lock.lock();
        try {
            ensureOpen();
            if (toRevision > revision) {
                throw new WeftException("compaction revision " + toRevision + " is in the future: the current revision is "
                        + revision);
            }
            if (toRevision <= compactedThrough) {
                throw new WeftException("revision " + toRevision + " has already been compacted: compacted through "
                        + compactedThrough);
            }
            dropHistoryThrough(toRevision);
        } finally {
            lock.unlock();
        }
    }

    /** The current revision. */
    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes the lease as the next revision, with its TTL counted from now. Caller holds the lock. */
    private Lease put(Ipv4Subnet subnet, LeaseAttrs attrs, Duration ttl) {
        Objects.requireNonNull(ttl, "ttl is null");
        if (ttl.isNegative()) {
            throw new WeftException("lease TTL " + ttl + " is negative: give a positive TTL, or zero for no expiry");
        }
        Lease lease = new Lease(subnet, attrs, ttl.isZero() ? null : clock.instant().plus(ttl), revision + 1);
        leases.put(subnet, lease);
        if (ttl.isZero()) {
            deadlines.remove(subnet);
        } else {
            long deadline = clock.nanoTime() + ttl.toNanos();
            deadlines.put(subnet, deadline);
            if (nextExpiry == null || deadline - nextExpiry < 0) {
                nextExpiry = deadline;
            }
        }
        record(new LeaseEvent.Added(unread(lease)));
        return lease;
    }

    /** Removes every lease whose time is up, one change each. Caller holds the lock. */
    private void expire() {
        ensureOpen();
        long now = clock.nanoTime();
        if (nextExpiry == null || now - nextExpiry < 0) {
            return;
        }
        Long next = null;
        List<Ipv4Subnet> expired = new ArrayList<>();
        Iterator<Map.Entry<Ipv4Subnet, Long>> it = deadlines.entrySet().iterator();
        while (it.hasNext()) {
            Map.Entry<Ipv4Subnet, Long> d = it.next();
            if (now - d.getValue() >= 0) {
                it.remove();
                expired.add(d.getKey());
            } else if (next == null || d.getValue() - next < 0) {
                next = d.getValue();
            }
        }
        nextExpiry = next;
        expired.sort(null);
        for (Ipv4Subnet s : expired) {
            leases.remove(s);
            record(new LeaseEvent.Removed(s));
        }
    }

    /**
     * {@code held} as listings and watches give it: with its expiration unread, as etcd's store gives it, so that code
     * tested on this store cannot come to count on an expiration that costs etcd a query.
     */
    private static Lease unread(Lease held) {
        return held.isReservation() ? held : new Lease(held.subnet(), held.attrs(), Lease.Expiry.UNREAD, held.revision());
    }

    private void record(LeaseEvent event) {
        revision++;
        history.addLast(new Change(revision, event));
        if (history.size() > historyLimit) {
            dropHistoryThrough(history.peekFirst().revision());
        }
        changed.signalAll();
    }

    private void dropHistoryThrough(long toRevision) {
        while (!history.isEmpty() && history.peekFirst().revision() <= toRevision) {
            history.removeFirst();
        }
        compactedThrough = toRevision;
    }

    private void ensureOpen() {
        if (closed) {
            throw new WeftException("the in-memory store is closed");
        }
    }
}
