package io.weft.core.lease;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.store.Store;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds this host's lease: acquires it, renews it when the time left drops below the renew margin
 * (retrying every retry interval on failure), and re-acquires it, preferring the same subnet, when it is
 * lost (expired, deleted by an admin, or taken by another host or a reservation). flannel exits in that
 * case; weft carries on.
 *
 * <p>The time left is measured on the monotonic clock from just before the store was asked for the lease,
 * with the TTL it was asked for: the store counts that TTL from a moment no earlier, so the keeper never
 * believes in a lease the store has expired, and a step of the wall clock (an admin, NTP, a resumed VM)
 * neither brings a renewal forward nor puts it off. A renewal is conditional on the lease read
 * ({@link Store#renewLease}); when the store refuses it, the lease is lost and re-acquired.
 *
 * <p>{@link #step()} does one round at the clock's current time and says how long until the next is due,
 * so tests drive it on a manual clock; {@link #run()} loops it on the daemon's keeper thread. Thread-safe.
 */
public final class LeaseKeeper {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseKeeper.class);

    private final SubnetAllocator allocator;
    private final Store store;
    private final HostClock clock;
    private final LeaseTimings timings;
    private final Consumer<Lease> onChange;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private final AtomicLong failures = new AtomicLong();

    private LeaseAttrs attrs;
    private Lease lease;
    /** When the lease runs out on the monotonic clock ({@link HostClock#nanoTime()}); unused for a reservation. */
    private long deadline;
    private boolean lost;
    /** Whether the last round failed; touched only by the thread that runs step(). */
    private boolean failing;
    /** A re-acquired lease that onChange failed to take; touched only by the thread that runs step(). */
    private Lease pendingChange;

    /**
     * @param clock    the monotonic clock times the lease; the wall clock is not read
     * @param onChange told whenever the lease is re-acquired (same or new subnet), on the keeper's thread
     */
    public LeaseKeeper(Store store, SubnetAllocator allocator, HostClock clock,
            LeaseTimings timings, Consumer<Lease> onChange) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.allocator = Objects.requireNonNull(allocator, "allocator is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.timings = Objects.requireNonNull(timings, "timings is null");
        this.onChange = Objects.requireNonNull(onChange, "onChange is null");
    }

    /** The first acquisition, with the attributes the backend publishes. */
    public Lease acquire(LeaseAttrs leaseAttrs, Optional<Ipv4Subnet> previous) {
        long asked = clock.nanoTime();
        Lease got = allocator.acquire(leaseAttrs, previous);
        lock.lock();
        try {
            attrs = leaseAttrs;
        } finally {
            lock.unlock();
        }
        replace(got, asked);
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

    /**
     * How long the held lease has left by the monotonic clock (negative once it ran out); empty for a
     * reservation or before the first acquisition.
     */
    public Optional<Duration> timeLeft() {
        lock.lock();
        try {
            if (lease == null || lease.isReservation()) {
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos(deadline - clock.nanoTime()));
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
     * One round of upkeep at the clock's current time: re-acquire if lost or run out, renew if due.
     *
     * @return how long until the next round is due
     */
    public Duration step() {
        Lease held;
        boolean reacquire;
        long left;
        lock.lock();
        try {
            if (lease == null) {
                throw new IllegalStateException("step() before acquire()");
            }
            held = lease;
            left = deadline - clock.nanoTime();
            reacquire = lost || (!held.isReservation() && left <= 0);
        } finally {
            lock.unlock();
        }
        try {
            if (pendingChange != null) {
                // The data path did not take the last re-acquired lease: hand it over again before anything else.
                onChange.accept(pendingChange);
                pendingChange = null;
            }
            if (reacquire) {
                long asked = clock.nanoTime();
                Lease got = allocator.acquire(attrs, Optional.of(held.subnet()));
                replace(got, asked);
                LOG.info("own lease re-acquired subnet={} previous={} expires={}", got.subnet(), held.subnet(),
                        got.expiration().orElse(null));
                pendingChange = got;
                onChange.accept(got);
                pendingChange = null;
                return nextRound(got);
            }
            if (held.isReservation()) {
                return timings.retryInterval();
            }
            if (left < timings.renewMargin().toNanos()) {
                long asked = clock.nanoTime();
                Optional<Lease> renewed = store.renewLease(held, timings.ttl());
                if (renewed.isEmpty()) {
                    LOG.info("own lease gone or taken before renewal subnet={}; re-acquiring", held.subnet());
                    markLost(held.subnet());
                    return Duration.ZERO;
                }
                replace(renewed.get(), asked);
                LOG.info("lease renewed subnet={} expires={}", held.subnet(), renewed.get().expiration().orElse(null));
                return nextRound(renewed.get());
            }
            return nextRound(held);
        } catch (RuntimeException e) {
            failures.incrementAndGet();
            if (!failing) {
                failing = true;
                LOG.warn("lease upkeep failed subnet={} error=\"{}\"; retrying every {}s", held.subnet(), e.getMessage(),
                        timings.retryInterval().toSeconds());
            } else {
                LOG.debug("lease upkeep still failing subnet={} error=\"{}\"", held.subnet(), e.getMessage());
            }
            return timings.retryInterval();
        }
    }

    /** How long until the round that renews {@code l}, after a round that went well. */
    private Duration nextRound(Lease l) {
        if (failing) {
            failing = false;
            LOG.info("lease upkeep recovered subnet={} expires={}", l.subnet(), l.expiration().orElse(null));
        }
        if (l.isReservation()) {
            return timings.retryInterval();
        }
        lock.lock();
        try {
            long due = deadline - timings.renewMargin().toNanos() - clock.nanoTime();
            return Duration.ofNanos(Math.max(0, due));
        } finally {
            lock.unlock();
        }
    }

    /** Holds {@code l} from now on; {@code asked} is when the store was asked for it (monotonic). */
    private void replace(Lease l, long asked) {
        lock.lock();
        try {
            lease = l;
            deadline = asked + timings.ttl().toNanos();
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
            long next = clock.nanoTime() + step().toNanos();
            lock.lock();
            try {
                while (!lost) {
                    long waitNanos = next - clock.nanoTime();
                    if (waitNanos <= 0) {
                        break;
                    }
                    wake.awaitNanos(waitNanos);
                }
            } finally {
                lock.unlock();
            }
        }
    }
}
