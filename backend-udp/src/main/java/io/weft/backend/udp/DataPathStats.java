package io.weft.backend.udp;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.spi.backend.NetworkStats;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The data path's totals: packets and bytes each way, ICMP errors sent, batches, and drops by
 * {@link DropReason}. Updated allocation-free by the forwarding threads, read by anyone. Thread-safe.
 */
final class DataPathStats {
    private static final int TX_PACKETS = 0;
    private static final int TX_BYTES = 1;
    private static final int RX_PACKETS = 2;
    private static final int RX_BYTES = 3;
    private static final int ICMP_SENT = 4;
    private static final int BATCHES = 5;
    private final AtomicLongArray counters = new AtomicLongArray(6);
    private final AtomicLongArray drops = new AtomicLongArray(DropReason.values().length);

    void drop(DropReason reason) {
        drops.incrementAndGet(reason.ordinal());
    }

    void drop(DropReason reason, int packets) {
        drops.addAndGet(reason.ordinal(), packets);
    }

    void sent(int packets, long bytes) {
        counters.addAndGet(TX_PACKETS, packets);
        counters.addAndGet(TX_BYTES, bytes);
    }

    void delivered(int packets, long bytes) {
        counters.addAndGet(RX_PACKETS, packets);
        counters.addAndGet(RX_BYTES, bytes);
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

    /** Packets sent to peers (TUN to UDP). */
    long tunToUdp() {
        return counters.get(TX_PACKETS);
    }

    /** Packets from peers written into the TUN device. */
    long udpToTun() {
        return counters.get(RX_PACKETS);
    }

    long icmpErrorsSent() {
        return counters.get(ICMP_SENT);
    }

    long batches() {
        return counters.get(BATCHES);
    }

    /** The non-zero drop counters, in reason order. */
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

    /** The SPI snapshot: totals, every drop counter by its key, and the given peers' counters. */
    NetworkStats snapshot(Map<Ipv4Subnet, PeerCounters> peers) {
        Map<String, Long> byKey = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            byKey.put(r.key(), drops(r));
        }
        Map<Ipv4Subnet, NetworkStats.PeerStats> perPeer = new HashMap<>();
        peers.forEach((subnet, c) -> perPeer.put(subnet, c.snapshot()));
        return new NetworkStats(counters.get(TX_PACKETS), counters.get(TX_BYTES), counters.get(RX_PACKETS),
                counters.get(RX_BYTES), byKey, perPeer);
    }
}
