package io.weft.backend.ipsec;

/**
 * How many SA key derivations one peer's packets may cause: a token bucket that holds at most {@code capacity}
 * derivations, starts full and gains one every {@code refillNanos} on the clock the caller passes. A derivation
 * (HKDF and a new AES-GCM key schedule) costs far more than a GCM trial, so packets with made-up SPIs must not
 * buy one each. Not thread-safe: owned by the inbound forwarding thread.
 */
final class DerivationBudget {
    private final int capacity;
    private final long refillNanos;
    private int tokens;
    private long stamp;
    private boolean started;

    DerivationBudget(int capacity, long refillNanos) {
        if (capacity < 1 || refillNanos < 1) {
            throw new IllegalArgumentException("capacity " + capacity + " and refillNanos " + refillNanos
                    + " must be positive");
        }
        this.capacity = capacity;
        this.refillNanos = refillNanos;
    }

    /** Takes one derivation if one is left at {@code nowNanos}; false means the peer's budget is spent for now. */
    boolean tryTake(long nowNanos) {
        if (!started) {
            started = true;
            tokens = capacity;
            stamp = nowNanos;
        }
        long gained = (nowNanos - stamp) / refillNanos;
        if (gained >= capacity - tokens) {
            tokens = capacity;
            stamp = nowNanos;
        } else if (gained > 0) {
            tokens += (int) gained;
            stamp += gained * refillNanos;
        }
        if (tokens == 0) {
            return false;
        }
        if (tokens == capacity) {
            stamp = nowNanos;
        }
        tokens--;
        return true;
    }

    /** Derivations left now, for tests. */
    int left(long nowNanos) {
        if (!started) {
            return capacity;
        }
        return (int) Math.min(capacity, tokens + Math.max(0, (nowNanos - stamp) / refillNanos));
    }
}
