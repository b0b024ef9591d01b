package io.weft.backend.ipsec;

/**
 * The sending side of one queue towards one peer: its current outbound SA, replaced when
 * {@link RekeyPolicy#due} says so. The new SA's SPI is this host's clock in seconds (to 4 s) with the queue in
 * its low bits ({@link Esp#nextSpi}), kept strictly increasing, so the receiver can tell new SAs from old ones
 * without any message exchange (see {@link InboundState}). Rotation happens on the forwarding thread between
 * packets, so no packet ever sees a half-made SA. Not thread-safe: owned by the queue's outbound forwarding
 * thread.
 */
final class OutboundState {
    private final PeerKeys keys;
    private final RekeyPolicy policy;
    private final EspStats stats;
    private final int queue;
    private volatile OutboundSa current;
    private long lastSpi;
    private long rotations;

    /** @param queue the sending queue, 0 to {@link Esp#SA_QUEUES} - 1: the low bits of every SPI it makes */
    OutboundState(PeerKeys keys, RekeyPolicy policy, EspStats stats, int queue) {
        if (queue < 0 || queue >= Esp.SA_QUEUES) {
            throw new IllegalArgumentException("queue " + queue + " is not in 0.." + (Esp.SA_QUEUES - 1));
        }
        this.keys = keys;
        this.policy = policy;
        this.stats = stats;
        this.queue = queue;
    }

    /** The SA to seal the next packet with, made or replaced first if needed. */
    OutboundSa current(long nowNanos, long nowEpochSeconds) {
        OutboundSa sa = current;
        if (sa == null || policy.due(sa.createdNanos(), sa.seq(), nowNanos)) {
            long spi = Esp.nextSpi(nowEpochSeconds, lastSpi, queue);
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
