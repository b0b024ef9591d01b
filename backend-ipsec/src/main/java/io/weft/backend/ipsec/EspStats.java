package io.weft.backend.ipsec;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Counters of the ESP stage: drops by {@link EspDrop} reason, packets sealed and opened, SAs created. Written
 * by the forwarding threads, read by the reporting thread. Thread-safe, lock-free.
 */
final class EspStats {
    private final AtomicLongArray drops = new AtomicLongArray(EspDrop.values().length);
    private final AtomicLong sealed = new AtomicLong();
    private final AtomicLong opened = new AtomicLong();
    private final AtomicLong outboundSas = new AtomicLong();
    private final AtomicLong inboundSas = new AtomicLong();

    void drop(EspDrop reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    long drops(EspDrop reason) {
        return drops.get(reason.ordinal());
    }

    /** Non-zero drop counts, by reason. */
    Map<EspDrop, Long> dropCounts() {
        Map<EspDrop, Long> m = new EnumMap<>(EspDrop.class);
        for (EspDrop r : EspDrop.values()) {
            long n = drops.get(r.ordinal());
            if (n != 0) {
                m.put(r, n);
            }
        }
        return m;
    }

    void sealed() {
        sealed.incrementAndGet();
    }

    void opened() {
        opened.incrementAndGet();
    }

    long sealedCount() {
        return sealed.get();
    }

    long openedCount() {
        return opened.get();
    }

    void outboundSa() {
        outboundSas.incrementAndGet();
    }

    void inboundSa() {
        inboundSas.incrementAndGet();
    }

    long outboundSaCount() {
        return outboundSas.get();
    }

    long inboundSaCount() {
        return inboundSas.get();
    }
}
