package io.weft.backend.ipsec;

/**
 * The anti-replay window of one inbound SA, as RFC 6479 describes: a ring of 64-bit blocks indexed by
 * sequence number, where moving the window forward clears whole blocks instead of shifting bits. With 32
 * blocks it remembers {@value #SIZE} sequence numbers behind the highest one seen (RFC 4303 asks for at
 * least 32, the issue for at least 1024). It also infers the high 32 bits of a 64-bit extended sequence
 * number from the low 32 on the wire (RFC 4303 appendix A2.2).
 *
 * <p>{@link #check} never changes state; the caller calls {@link #update} only after the ICV verified, so
 * forged packets cannot move the window. Not thread-safe: owned by the inbound forwarding thread.
 */
final class ReplayWindow {
    static final int BLOCKS = 32;
    /** Sequence numbers the window covers: (blocks - 1) * 64, one block being the slack RFC 6479 keeps. */
    static final int SIZE = (BLOCKS - 1) * 64;
    static final int OK = 0;
    static final int DUPLICATE = 1;
    static final int TOO_OLD = 2;
    private static final long LOW = 0xffffffffL;

    private final long[] bitmap = new long[BLOCKS];
    private long top;

    /** The highest sequence number accepted so far, 0 before the first. */
    long top() {
        return top;
    }

    /**
     * The full 64-bit sequence number a packet with {@code low} on the wire most likely carries, or -1 when
     * it can only lie before sequence number 1, or when RFC 4303's rule would place it more than 2^31 ahead
     * of the window: a sender does not lose two billion packets in a row, so such a packet is an old one
     * from just behind the window (a replay), not a new one.
     */
    long infer(int low) {
        long seq = inferRfc(low);
        return seq > top && seq - top > (1L << 31) ? -1 : seq;
    }

    private long inferRfc(int low) {
        long seql = low & LOW;
        long tl = top & LOW;
        long th = top >>> 32;
        long bottom = (tl - SIZE + 1) & LOW;
        if (tl >= SIZE - 1) {
            return seql >= bottom ? (th << 32) | seql : ((th + 1) << 32) | seql;
        }
        if (seql >= bottom) {
            return th == 0 ? -1 : ((th - 1) << 32) | seql;
        }
        return (th << 32) | seql;
    }

    /** Whether {@code seq} may be accepted: {@link #OK}, {@link #DUPLICATE} or {@link #TOO_OLD}. */
    int check(long seq) {
        if (seq <= 0) {
            return TOO_OLD;
        }
        if (Long.compareUnsigned(seq, top) > 0) {
            return OK;
        }
        if (top - seq >= SIZE) {
            return TOO_OLD;
        }
        int block = (int) ((seq >>> 6) & (BLOCKS - 1));
        return (bitmap[block] & (1L << (seq & 63))) != 0 ? DUPLICATE : OK;
    }

    /** Records {@code seq} as received; call only after {@link #check} said OK and the ICV verified. */
    void update(long seq) {
        if (seq > top) {
            long current = top >>> 6;
            long target = seq >>> 6;
            long clear = Math.min(target - current, BLOCKS);
            for (long i = 1; i <= clear; i++) {
                bitmap[(int) ((current + i) & (BLOCKS - 1))] = 0;
            }
            top = seq;
        }
        int block = (int) ((seq >>> 6) & (BLOCKS - 1));
        bitmap[block] |= 1L << (seq & 63);
    }
}
