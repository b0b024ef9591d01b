package io.weft.backend.udp;

import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The data path's counters: packets each way, ICMP errors sent, and drops by {@link DropReason}.
 * Updated allocation-free from the forwarding threads (each counter has one writing thread in practice),
 * read by anyone. Thread-safe.
 */
final class DataPathStats {
    private static final int TUN_TO_UDP = 0;
    private static final int UDP_TO_TUN = 1;
    private static final int ICMP_SENT = 2;
    private static final int BATCHES = 3;
    private final AtomicLongArray counters = new AtomicLongArray(4);
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);

    void drop(DropReason reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    void forwardedToUdp(int packets) {
        counters.addAndGet(TUN_TO_UDP, packets);
    }

    void forwardedToTun(int packets) {
        counters.addAndGet(UDP_TO_TUN, packets);
    }

    void icmpSent() {
        counters.incrementAndGet(ICMP_SENT);
    }

    void batch() {
        counters.incrementAndGet(BATCHES);
    }

    long drops(DropReason reason) {
        return drops.get(reason.ordinal());
    }

    long tunToUdp() {
        return counters.get(TUN_TO_UDP);
    }

    long udpToTun() {
        return counters.get(UDP_TO_TUN);
    }

    long icmpErrorsSent() {
        return counters.get(ICMP_SENT);
    }

    long batches() {
        return counters.get(BATCHES);
    }

    /** The non-zero drop counters by log key, in reason order. */
    Map<DropReason, Long> dropCounts() {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long n = drops(r);
            if (n != 0) {
                out.put(r, n);
            }
        }
        return out;
    }
}
