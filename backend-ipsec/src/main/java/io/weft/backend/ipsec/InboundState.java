package io.weft.backend.ipsec;

import java.nio.ByteBuffer;

/**
 * The receiving side from one peer: its current inbound SA and, for {@link RekeyPolicy#overlap} after a
 * newer one took over, the previous one. A packet with an unknown SPI is a candidate new SA only if its SPI
 * (the sender's clock at SA creation) is newer than the current SA's and fresh by this host's clock; the
 * key is derived and the SA installed only if the packet's ICV verifies. So rotation needs no signalling
 * and loses no packets, forged SPIs cannot displace a working SA, and a replayed packet from an expired SA
 * is refused. Derivations of candidates are limited to one per {@link #CANDIDATE_INTERVAL_NANOS} so a
 * flood of made-up SPIs costs little. Not thread-safe: owned by the inbound forwarding thread.
 */
final class InboundState {
    static final long CANDIDATE_INTERVAL_NANOS = 50_000_000L;
    private final PeerKeys keys;
    private final RekeyPolicy policy;
    private final EspStats stats;
    private volatile InboundSa current;
    private volatile InboundSa previous;
    private long previousUntilNanos;
    private long lastCandidateNanos = Long.MIN_VALUE / 2;
    private volatile long authFailures;
    private long changes;

    InboundState(PeerKeys keys, RekeyPolicy policy, EspStats stats) {
        this.keys = keys;
        this.policy = policy;
        this.stats = stats;
    }

    /**
     * Opens one ESP payload from this peer ({@code src} position to limit) into {@code dst}; returns the
     * inner packet length or an {@link EspDrop#code()}.
     */
    int open(ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        if (!InboundSa.wellFormed(src)) {
            return EspDrop.MALFORMED.code();
        }
        int spi = src.getInt(src.position());
        InboundSa sa = null;
        if (current != null && current.spi() == spi) {
            sa = current;
        } else if (previous != null && previous.spi() == spi) {
            if (nowNanos - previousUntilNanos > 0) {
                previous = null;
                return EspDrop.EXPIRED_SA.code();
            }
            sa = previous;
        }
        if (sa != null) {
            if (policy.expired(spi, nowEpochSeconds)) {
                return EspDrop.EXPIRED_SA.code();
            }
            return counted(sa.open(src, dst));
        }
        return candidate(spi, src, dst, nowNanos, nowEpochSeconds);
    }

    private int candidate(int spi, ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        if (current != null && Integer.compareUnsigned(spi, current.spi()) <= 0) {
            return EspDrop.EXPIRED_SA.code();
        }
        if (!policy.freshSpi(spi, nowEpochSeconds)) {
            return EspDrop.EXPIRED_SA.code();
        }
        if (nowNanos - lastCandidateNanos < CANDIDATE_INTERVAL_NANOS) {
            return EspDrop.UNKNOWN_SPI.code();
        }
        lastCandidateNanos = nowNanos;
        InboundSa sa = keys.inbound(spi, nowNanos);
        int r = counted(sa.open(src, dst));
        if (sa.accepted() > 0) {
            if (current != null) {
                changes++;
            }
            previous = current;
            previousUntilNanos = nowNanos + policy.overlap().toNanos();
            current = sa;
            stats.inboundSa();
        }
        return r;
    }

    private int counted(int result) {
        if (result == EspDrop.AUTH_FAILED.code()) {
            authFailures = authFailures + 1;
        }
        return result;
    }

    /** ICV failures seen from this peer, for the once-only "different PSK?" log line. */
    long authFailures() {
        return authFailures;
    }

    /** Whether any packet from this peer ever verified. */
    boolean everVerified() {
        return current != null;
    }

    /** How many times a newer inbound SA took over. */
    long changes() {
        return changes;
    }

    InboundSa current() {
        return current;
    }

    InboundSa previous() {
        return previous;
    }
}
