package io.weft.core.lease;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.store.Store;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds this host's lease: acquires it, renews it when the time left drops below the renew margin
 * (retrying every retry interval on failure), and re-acquires it, preferring the same subnet, when it is
 * lost (expired, or deleted by an admin). flannel exits in that case; weft carries on.
 *
 * <p>{@link #step()} does one round at the clock's current time and says when the next is due, so tests
 * drive it on a manual clock; {@link #run()} loops it on the daemon's keeper thread. Thread-safe.
 */
public final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final SubnetAllocator allocator;
    private final Store store;
    private final Clock clock;
    private final LeaseTimings timings;
    private final Consumer<Lease> onChange;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();

    private LeaseAttrs attrs;
    private Lease lease;
    private boolean lost;
    /** Whether the last round failed; touched only by the thread that runs step(). */
    private boolean failing;
    /** A re-acquired lease that onChange failed to take; touched only by the thread that runs step(). */
    private Lease pendingChange;
    private final java.util.concurrent.atomic.AtomicLong failures = new java.util.concurrent.atomic.AtomicLong();

    /**
     * @param onChange told whenever the lease is re-acquired (same or new subnet), on the keeper's thread
     */
    public LeaseKeeper(Store store, SubnetAllocator allocator, Clock clock,
            LeaseTimings timings, Consumer<Lease> onChange) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.allocator = Objects.requireNonNull(allocator, "allocator is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.timings = Objects.requireNonNull(timings, "timings is null");
        this.onChange = Objects.requireNonNull(onChange, "onChange is null");
    }

    /** The first acquisition, with the attributes the backend publishes. */
    public Lease acquire(LeaseAttrs leaseAttrs, Optional<Ipv4Subnet> previous) {
        Lease got = allocator.acquire(leaseAttrs, previous);
        lock.lock();
        try {
            attrs = leaseAttrs;
            lease = got;
            lost = false;
        } finally {
            lock.unlock();
        }
        return got;
    }

    /** The lease held now, or empty before the first acquisition. */
    public Optional<Lease> current() {
        lock.lock();
        try {
            return Optional.ofNullable(lease);
        } finally {
            lock.unlock();
        }
    }

    /** How many renewals or re-acquisitions have failed so far. */
    public long failures() {
        return failures.get();
    }

    /** The watcher saw this host's lease go (or pass to another host): re-acquire at once. */
    public void markLost(Ipv4Subnet subnet) {
        lock.lock();
        try {
            if (lease != null && lease.subnet().equals(subnet) && !lost) {
                LOG.info("own lease lost subnet={}; re-acquiring", subnet);
                lost = true;
                wake.signalAll();
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * One round of upkeep at the clock's current time: re-acquire if lost or expired, renew if due.
     *
     * @return when the next round is due
     */
    public Instant step() {
        Lease held;
        boolean reacquire;
        lock.lock();
        try {
            if (lease == null) {
                throw new IllegalStateException("step() before acquire()");
            }
            held = lease;
            Instant now = clock.instant();
            reacquire = lost || (!held.isReservation() && !now.isBefore(held.expiration()));
        } finally {
            lock.unlock();
        }
        Instant now = clock.instant();
        try {
            if (pendingChange != null) {
                // The data path did not take the last re-acquired lease: hand it over again before anything else.
                onChange.accept(pendingChange);
                pendingChange = null;
            }
            if (reacquire) {
                Lease got = allocator.acquire(attrs, Optional.of(held.subnet()));
                replace(got);
                LOG.info("own lease re-acquired subnet={} previous={} expires={}", got.subnet(), held.subnet(),
                        got.expiration());
                pendingChange = got;
                onChange.accept(got);
                pendingChange = null;
                return nextRound(got);
            }
            if (held.isReservation()) {
                return now.plus(timings.retryInterval());
            }
            if (Duration.between(now, held.expiration()).compareTo(timings.renewMargin()) < 0) {
                Optional<Lease> renewed = store.renewLease(held, timings.ttl());
                if (renewed.isEmpty()) {
                    LOG.info("own lease vanished before renewal subnet={}; re-acquiring", held.subnet());
                    markLost(held.subnet());
                    return now;
                }
                replace(renewed.get());
                LOG.info("lease renewed subnet={} expires={}", held.subnet(), renewed.get().expiration());
                return nextRound(renewed.get());
            }
            return nextRound(held);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            Instant retry = now.plus(timings.retryInterval());
            if (!failing) {
                failing = true;
                LOG.warn("lease upkeep failed subnet={} error=\"{}\"; retrying every {}s", held.subnet(), e.getMessage(),
                        timings.retryInterval().toSeconds());
            } else {
                LOG.debug("lease upkeep still failing subnet={} error=\"{}\"", held.subnet(), e.getMessage());
            }
            return retry;
        }
    }

    private Instant nextRound(Lease l) {
        if (failing) {
            failing = false;
            LOG.info("lease upkeep recovered subnet={} expires={}", l.subnet(), l.expiration());
        }
        if (l.isReservation()) {
            return clock.instant().plus(timings.retryInterval());
        }
        return l.expiration().minus(timings.renewMargin());
    }

    private void replace(Lease l) {
        lock.lock();
        try {
            lease = l;
            lost = false;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Loops {@link #step()} until its thread is interrupted, sleeping until each next round or a loss.
     * Revokes nothing when it ends: a restart reuses the lease, as with flannel.
     */
    public void run() throws InterruptedException {
        while (true) {
            if (Thread.interrupted()) {
                throw new InterruptedException("lease keeper stopped");
            }
            Instant next = step();
            lock.lock();
            try {
                while (!lost) {
                    long waitNanos = Duration.between(clock.instant(), next).toNanos();
                    if (waitNanos <= 0) {
                        break;
                    }
                    wake.awaitNanos(Math.min(waitNanos, TimeUnit.MINUTES.toNanos(1)));
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
