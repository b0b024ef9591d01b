package io.weft.core.testing;

import io.weft.core.runtime.HostClock;
import java.time.Duration;
import java.time.Instant;

/**
 * A host clock that moves only when a test says so: {@link #advance} lets time pass on both the wall and the
 * monotonic clock, {@link #stepWallClock} sets the wall clock alone forward or back, as an admin or NTP does.
 * Thread-safe.
 */
public final class ManualClock extends HostClock {
    private Instant wall;
    private long nanos;

    public ManualClock(Instant start) {
        this.wall = start;
        this.nanos = 1_000_000_000L;
    }

    public ManualClock() {
        this(Instant.parse("2026-01-01T00:00:00Z"));
    }

    /** Lets {@code d} pass: both clocks move by it. */
    public synchronized void advance(Duration d) {
        wall = wall.plus(d);
        nanos += d.toNanos();
    }

    /** Steps the wall clock alone by {@code d} (negative: back); the monotonic clock does not move. */
    public synchronized void stepWallClock(Duration d) {
        wall = wall.plus(d);
    }

    @Override
    public synchronized Instant instant() {
        return wall;
    }

    @Override
    public synchronized long nanoTime() {
        return nanos;
    }
}
