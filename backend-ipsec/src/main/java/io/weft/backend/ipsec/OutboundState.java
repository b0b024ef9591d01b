package io.weft.backend.ipsec;

/**
 * The sending side towards one peer: its current outbound SA, replaced when {@link RekeyPolicy#due} says
 * so. The new SA's SPI is this host's clock in whole seconds, kept strictly increasing, so the receiver can
 * tell new SAs from old ones without any message exchange (see {@link InboundState}). Rotation happens on
 * the forwarding thread between packets, so no packet ever sees a half-made SA. Not thread-safe: owned by
 * the outbound forwarding thread.
 */
final class OutboundState {
    private final PeerKeys keys;
    private final RekeyPolicy policy;
    private final EspStats stats;
    private volatile OutboundSa current;
    private long lastSpi;
    private long rotations;

    OutboundState(PeerKeys keys, RekeyPolicy policy, EspStats stats) {
        this.keys = keys;
        this.policy = policy;
        this.stats = stats;
    }

    /** The SA to seal the next packet with, made or replaced first if needed. */
    OutboundSa current(long nowNanos, long nowEpochSeconds) {
        OutboundSa sa = current;
        if (sa == null || policy.due(sa.createdNanos(), sa.seq(), nowNanos)) {
            long spi = Math.max(Math.max(nowEpochSeconds, lastSpi + 1), Esp.MIN_SPI) & 0xffffffffL;
            lastSpi = spi;
            sa = keys.outbound((int) spi, nowNanos);
            if (current != null) {
                rotations++;
            }
            current = sa;
            stats.outboundSa();
        }
        return sa;
    }

    /** The current SA without rotating, or null before the first packet; for the SA list and tests. */
    OutboundSa peek() {
        return current;
    }

    long rotations() {
        return rotations;
    }
}
