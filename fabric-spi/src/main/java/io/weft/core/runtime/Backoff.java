package io.weft.core.runtime;

import java.time.Duration;
import java.util.Objects;

/**
 * Capped exponential backoff for retry loops: {@link #next()} returns the delay to wait now and doubles
 * the one after, up to the cap; {@link #reset()} starts again after a success. Not thread-safe: one per loop.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private Duration next;

    public Backoff(Duration initial, Duration max) {
        this.initial = Objects.requireNonNull(initial, "initial is null");
        this.max = Objects.requireNonNull(max, "max is null");
        if (initial.isNegative() || initial.isZero() || max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("backoff needs 0 < initial <= max, got " + initial + " and " + max);
        }
        this.next = initial;
    }

    /** The delay to wait now; the following call returns twice as much, at most {@link #max()}. */
    public Duration next() {
        Duration now = next;
        Duration doubled = now.multipliedBy(2);
        next = doubled.compareTo(max) > 0 ? max : doubled;
        return now;
    }

    /** After a success: the next delay is the initial one again. */
    public void reset() {
        next = initial;
    }

    public Duration max() {
        return max;
    }
}
