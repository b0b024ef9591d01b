package io.weft.backend.ipsec;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Counters of the ESP stage: drops by {@link EspDrop} reason, packets sealed and opened, SAs created. Written
 * by the forwarding threads of every queue, read by the reporting thread. The per-packet ones are
 * {@link LongAdder}s, so queues counting at once do not fight over one cache line. Thread-safe, lock-free.
 */
final class EspStats {
    private final AtomicLongArray drops = new AtomicLongArray(EspDrop.values().length);
    private final LongAdder sealed = new LongAdder();
    private final LongAdder opened = new LongAdder();
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
        sealed.increment();
    }

    void opened() {
        opened.increment();
    }

    long sealedCount() {
        return sealed.sum();
    }

    long openedCount() {
        return opened.sum();
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
