package io.weft.core.runtime;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * The host's two clocks: the wall clock (this {@link Clock}), which an admin or NTP may step, for what is
 * shown and stored; and the monotonic one ({@link #nanoTime()}), which never steps, for every duration that
 * matters: when a lease must be renewed, when a TTL runs out. Tests use a manual one that can step the wall
 * clock alone. Implementations are thread-safe.
 */
public abstract class HostClock extends Clock {
    private static final HostClock SYSTEM = new HostClock() {
        @Override
        public Instant instant() {
            return Instant.now();
        }

        @Override
        public long nanoTime() {
            return System.nanoTime();
        }
    };

    /** The monotonic clock in nanoseconds from an arbitrary origin, as {@link System#nanoTime()}. */
    public abstract long nanoTime();

    /** The system's wall clock in UTC, and {@link System#nanoTime()}. */
    public static HostClock system() {
        return SYSTEM;
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        return this;
    }
}
