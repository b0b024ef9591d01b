package io.weft.core.lease;

import java.time.Duration;
import java.util.Objects;

/**
 * The timings of lease upkeep, injectable so tests can run them on a manual clock. Immutable.
 *
 * @param ttl           the TTL a lease is created and renewed with (flannel: 24 h)
 * @param renewMargin   renew once the time left drops below this (flannel: 60 min)
 * @param retryInterval wait this long after a failed renewal or acquisition (flannel: 1 min)
 */
public record LeaseTimings(Duration ttl, Duration renewMargin, Duration retryInterval) {
    public static final LeaseTimings DEFAULT = new LeaseTimings(Duration.ofHours(24), Duration.ofMinutes(60),
            Duration.ofMinutes(1));

    public LeaseTimings {
        Objects.requireNonNull(ttl, "ttl is null");
        Objects.requireNonNull(renewMargin, "renewMargin is null");
        Objects.requireNonNull(retryInterval, "retryInterval is null");
        if (ttl.isNegative() || ttl.isZero()) {
            throw new io.weft.core.WeftException("lease TTL " + ttl + " is out of range: it must be positive");
        }
        if (renewMargin.isNegative() || renewMargin.isZero() || renewMargin.compareTo(ttl) >= 0) {
            throw new io.weft.core.WeftException("subnet-lease-renew-margin " + renewMargin.toMinutes()
                    + " is out of range: give minutes from 1 to " + (ttl.toMinutes() - 1));
        }
    }

    public LeaseTimings withRenewMargin(Duration margin) {
        return new LeaseTimings(ttl, margin, retryInterval);
    }
}
