package io.weft.backend.ipsec;

import java.nio.ByteBuffer;

/**
 * The receiving side of one of a peer's sending queues (the SAs whose SPIs carry that queue, {@link Esp#queueOf}):
 * its current inbound SA and, for {@link RekeyPolicy#overlap} after a newer one took over, the previous one. A packet with an unknown SPI is a candidate new SA only if its SPI
 * (the sender's clock at SA creation) is newer than the current SA's and fresh by this host's clock; the
 * SA is installed only if the packet's ICV verifies. So rotation needs no signalling and loses no packets,
 * forged SPIs cannot displace a working SA, and a replayed packet from an expired SA is refused.
 *
 * <p>Candidates are derived once and kept by SPI ({@link CandidateSas}), so a forged packet with a candidate's
 * SPI costs one GCM trial. The real next SPI is predictable: it is the sender's clock when it makes the SA, and
 * this side learns how far the sender's clock is from its own from each SA it installs. A candidate within
 * {@link #EXPECTED_SLACK_SECONDS} of that prediction is <em>expected</em>: derived whenever its first packet
 * comes, and kept where no other SPI can evict it; any other fresh SPI may be derived only out of a small
 * budget ({@link DerivationBudget}) and is kept beside them. A flood of made-up SPIs from the peer's address
 * therefore costs a few derivations a second and GCM trials, and never keeps the real next SA out.
 *
 * <p>It also tells the reporting thread when another PSK is likely ({@link #pskSuspected}): several ICV
 * failures within a minute and no authentic packet in it, which one forged packet is not. Not thread-safe
 * (but for {@link #current}, {@link #previous}, {@link #authFailures} and {@link #pskSuspected}, which any
 * thread may read): {@link EspTransform#open} calls {@link #open} holding this object's monitor, which the
 * receive steering ({@link EspSteering}) leaves to one inbound thread but for a GRO train that mixes queues.
 */
final class InboundState {
    /**
     * How far (seconds) from the predicted sender clock an SPI counts as expected: rounding and latency (2 s), and
     * the up to 3 s each SPI's clock is rounded down by ({@link Esp#nextSpi}), once in the prediction and once
     * in the SPI.
     */
    static final int EXPECTED_SLACK_SECONDS = 2 + Esp.SA_QUEUES - 1;
    /** Room for expected candidates: more than the window's SPIs, so an SPI in it is never evicted. */
    static final int EXPECTED_CAPACITY = 2 * EXPECTED_SLACK_SECONDS + 4;
    /** Room for other candidates. */
    static final int OTHER_CAPACITY = 4;
    /** Derivations of expected SPIs: the window's, then about one a second as it moves; the budget has room. */
    static final int EXPECTED_BUDGET = EXPECTED_CAPACITY;
    static final long EXPECTED_REFILL_NANOS = 200_000_000L;
    /** Derivations of other fresh SPIs: 4 at once, then 4 a second. */
    static final int OTHER_BUDGET = 4;
    static final long OTHER_REFILL_NANOS = 250_000_000L;
    /** ICV failures with no packet verifying within {@link #PSK_WINDOW_NANOS} that make another PSK likely. */
    static final int PSK_FAILURES = 5;
    static final long PSK_WINDOW_NANOS = 60_000_000_000L;
    private final PeerKeys keys;
    private final RekeyPolicy policy;
    private final EspStats stats;
    private final CandidateSas candidates = new CandidateSas(EXPECTED_CAPACITY, OTHER_CAPACITY);
    private final DerivationBudget expectedBudget = new DerivationBudget(EXPECTED_BUDGET, EXPECTED_REFILL_NANOS);
    private final DerivationBudget otherBudget = new DerivationBudget(OTHER_BUDGET, OTHER_REFILL_NANOS);
    private volatile InboundSa current;
    private volatile InboundSa previous;
    private long previousUntilNanos;
    /** The peer's SPI clock less this host's epoch seconds, learnt from the last SA installed (0 before). */
    private long clockOffset;
    private long derivations;
    private volatile long authFailures;
    private long failureWindowStartNanos;
    private int failuresInWindow;
    private long lastAuthenticNanos;
    private boolean everAuthentic;
    private volatile boolean pskSuspected;
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
            return counted(sa.open(src, dst), nowNanos);
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
        InboundSa sa = candidates.find(spi);
        if (sa == null) {
            long predicted = nowEpochSeconds + clockOffset;
            long low = predicted - EXPECTED_SLACK_SECONDS;
            long high = predicted + EXPECTED_SLACK_SECONDS;
            long value = Integer.toUnsignedLong(spi);
            boolean expected = value >= low && value <= high;
            if (!(expected ? expectedBudget : otherBudget).tryTake(nowNanos)) {
                return EspDrop.UNKNOWN_SPI.code();
            }
            sa = keys.inbound(spi, nowNanos);
            derivations++;
            if (expected) {
                candidates.addExpected(sa, low, high);
            } else {
                candidates.addOther(sa);
            }
        }
        int r = counted(sa.open(src, dst), nowNanos);
        if (sa.accepted() > 0) {
            install(sa, nowNanos, nowEpochSeconds);
        }
        return r;
    }

    /** {@code sa} verified a packet: it takes over, the current one overlaps, older candidates go. */
    private void install(InboundSa sa, long nowNanos, long nowEpochSeconds) {
        candidates.removeUpTo(sa.spi());
        if (current != null) {
            changes++;
        }
        previous = current;
        previousUntilNanos = nowNanos + policy.overlap().toNanos();
        current = sa;
        clockOffset = Integer.toUnsignedLong(sa.spi()) - nowEpochSeconds;
        stats.inboundSa();
    }

    /**
     * Notes whether the packet's ICV verified: another PSK is suspected after {@link #PSK_FAILURES} failures
     * within {@link #PSK_WINDOW_NANOS} with no authentic packet in that time, not after one forged packet.
     */
    private int counted(int result, long nowNanos) {
        if (result == EspDrop.AUTH_FAILED.code()) {
            authFailures = authFailures + 1;
            if (failuresInWindow == 0 || nowNanos - failureWindowStartNanos > PSK_WINDOW_NANOS) {
                failureWindowStartNanos = nowNanos;
                failuresInWindow = 0;
            }
            failuresInWindow++;
            if (failuresInWindow >= PSK_FAILURES
                    && (!everAuthentic || nowNanos - lastAuthenticNanos > PSK_WINDOW_NANOS)) {
                pskSuspected = true;
            }
        } else if (authentic(result)) {
            lastAuthenticNanos = nowNanos;
            everAuthentic = true;
        }
        return result;
    }

    /** Whether an open result means the ICV verified (the packet may still have been dropped after). */
    private static boolean authentic(int result) {
        return result >= 0 || result == EspDrop.BAD_TRAILER.code() || result == EspDrop.NOT_IPV4.code()
                || result == EspDrop.DUMMY.code();
    }

    /** ICV failures seen from this peer. */
    long authFailures() {
        return authFailures;
    }

    /** Whether this peer's packets fail authentication often, with none verifying: most likely another PSK. */
    boolean pskSuspected() {
        return pskSuspected;
    }

    /** Whether any packet from this peer ever verified. */
    boolean everVerified() {
        return current != null;
    }

    /** Candidate SAs derived so far, for tests. */
    long derivations() {
        return derivations;
    }

    /** Candidate SAs kept now, for tests. */
    int candidates() {
        return candidates.size();
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
