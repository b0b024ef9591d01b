package io.weft.backend.udp;

import io.weft.core.spi.backend.NetworkStats;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One peer's traffic counters, held by its {@link RouteTable} entry. They outlive route tables:
 * {@link RouteUpdates} carries them into each next table for as long as the peer stays. Updated
 * allocation-free by the forwarding threads: each queue's tun-to-udp thread writes only its own tx lane, its
 * udp-to-tun thread only its rx lane. With one writer per lane, an update is a plain read and an ordered write
 * (no locked instruction), and lanes sit 128 bytes apart (and away from neighbouring objects) so no two
 * threads share a cache line. Readers
 * see each counter's latest published value; thread-safe.
 */
final class PeerCounters {
    private static final int PAD = 16;
    private static final int PACKETS = 0;
    private static final int BYTES = 1;
    private static final int LAST_HEARD = 2;
    private final int queues;
    private final AtomicLongArray counters;

    PeerCounters() {
        this(1);
    }

    /** @param queues how many forwarding pairs count here, each into its own tx and rx lanes */
    PeerCounters(int queues) {
        this.queues = queues;
        this.counters = new AtomicLongArray((2 * queues + 2) * PAD);
    }

    private static int lane(int queue, int direction) {
        return (1 + 2 * queue + direction) * PAD;
    }

    private void add(int index, long n) {
        counters.lazySet(index, counters.get(index) + n);
    }

    /** Called by queue {@code q}'s tun-to-udp thread only. */
    void sent(int q, int packets, long bytes) {
        int lane = lane(q, 0);
        add(lane + PACKETS, packets);
        add(lane + BYTES, bytes);
    }

    /** Called by queue {@code q}'s udp-to-tun thread only. */
    void received(int q, int bytes, long nowMillis) {
        int lane = lane(q, 1);
        add(lane + PACKETS, 1);
        add(lane + BYTES, bytes);
        counters.lazySet(lane + LAST_HEARD, nowMillis);
    }

    NetworkStats.PeerStats snapshot() {
        long txPackets = 0;
        long txBytes = 0;
        long rxPackets = 0;
        long rxBytes = 0;
        long heard = 0;
        for (int q = 0; q < queues; q++) {
            txPackets += counters.get(lane(q, 0) + PACKETS);
            txBytes += counters.get(lane(q, 0) + BYTES);
            rxPackets += counters.get(lane(q, 1) + PACKETS);
            rxBytes += counters.get(lane(q, 1) + BYTES);
            heard = Math.max(heard, counters.get(lane(q, 1) + LAST_HEARD));
        }
        return new NetworkStats.PeerStats(txPackets, txBytes, rxPackets, rxBytes,
                heard == 0 ? null : Instant.ofEpochMilli(heard));
    }
}
