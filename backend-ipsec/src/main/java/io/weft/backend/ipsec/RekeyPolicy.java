package io.weft.backend.ipsec;

import java.time.Duration;
import java.util.Objects;

/**
 * When SAs are replaced and how long old ones stay valid. Immutable.
 *
 * @param interval   an outbound SA older than this is replaced before the next packet (at most an hour)
 * @param maxPackets an outbound SA that has sent this many packets is replaced: at most (and by default)
 *                   {@link #MAX_PACKETS}, just under 2^31 less the replay window, so a receiver that restarts
 *                   and starts its window at 0 takes even an SA's last packet (a sequence number more than
 *                   2^31 ahead of the window reads as an old one, RFC 4303 appendix A2.2). That keeps AES-GCM's
 *                   per-key data far inside its confidentiality bound (about 2^43 blocks of 16 bytes)
 * @param overlap    how long the previous inbound SA is still accepted after a newer one verified
 * @param clockSkew  how far peers' clocks may differ: an SPI is the sender's clock in seconds at SA
 *                   creation, and a receiver accepts one no older than interval + clockSkew, nor further in
 *                   the future than clockSkew
 */
record RekeyPolicy(Duration interval, long maxPackets, Duration overlap, Duration clockSkew) {
    /** The most packets an SA may carry: below 2^31 less the replay window. */
    static final long MAX_PACKETS = (1L << 31) - ReplayWindow.SIZE - 1;
    static final Duration DEFAULT_OVERLAP = Duration.ofSeconds(30);
    static final Duration DEFAULT_SKEW = Duration.ofSeconds(120);

    RekeyPolicy {
        Objects.requireNonNull(interval, "interval is null");
        Objects.requireNonNull(overlap, "overlap is null");
        Objects.requireNonNull(clockSkew, "clockSkew is null");
        if (interval.isNegative() || interval.isZero() || interval.compareTo(Duration.ofHours(1)) > 0) {
            throw new IllegalArgumentException("rekey interval " + interval + " must be in (0, 1h]");
        }
        if (maxPackets < 1) {
            throw new IllegalArgumentException("maxPackets " + maxPackets + " < 1");
        }
        if (maxPackets > MAX_PACKETS) {
            throw new IllegalArgumentException("maxPackets " + maxPackets + " is above " + MAX_PACKETS + ": a receiver"
                    + " that restarts could not resynchronise (2^31 less the replay window)");
        }
    }

    static RekeyPolicy of(Duration interval) {
        return new RekeyPolicy(interval, MAX_PACKETS, DEFAULT_OVERLAP, DEFAULT_SKEW);
    }

    /** Whether an outbound SA made at {@code createdNanos} that has sent {@code seq} packets must go. */
    boolean due(long createdNanos, long seq, long nowNanos) {
        return nowNanos - createdNanos >= interval.toNanos() || Long.compareUnsigned(seq, maxPackets) >= 0;
    }

    /** Whether a receiver accepts a new SA whose SPI (the sender's clock in seconds) is {@code spi}. */
    boolean freshSpi(int spi, long nowEpochSeconds) {
        long age = nowEpochSeconds - Integer.toUnsignedLong(spi);
        return age <= interval.toSeconds() + clockSkew.toSeconds() && -age <= clockSkew.toSeconds();
    }

    /**
     * How long a peer key's SA state is kept after no session uses it (the key was flipped away in the store):
     * until a packet of any SA it knew is refused as stale anyway (SPI older than interval + clockSkew, where the
     * SPI itself may have been up to clockSkew ahead, plus the overlap), and at least two intervals. A key
     * flipped back within it finds its anti-replay windows as they were.
     */
    Duration retention() {
        Duration stale = interval.plus(overlap).plus(clockSkew.multipliedBy(2));
        Duration two = interval.multipliedBy(2);
        return stale.compareTo(two) > 0 ? stale : two;
    }

    /** Whether an installed inbound SA is too old to accept anything (its sender must have replaced it). */
    boolean expired(int spi, long nowEpochSeconds) {
        long age = nowEpochSeconds - Integer.toUnsignedLong(spi);
        return age > interval.toSeconds() + overlap.toSeconds() + clockSkew.toSeconds();
    }
}
