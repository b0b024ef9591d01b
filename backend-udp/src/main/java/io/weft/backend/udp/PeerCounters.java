package io.weft.backend.udp;

import io.weft.core.spi.backend.NetworkStats;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One peer's traffic counters. They outlive route tables: {@link UdpNetwork} keeps one per peer subnet and
 * hands it to every {@link RouteTable} it builds. Updated allocation-free by the forwarding threads (tx by
 * one, rx by the other); thread-safe.
 */
final class PeerCounters {
    private static final int TX_PACKETS = 0;
    private static final int TX_BYTES = 1;
    private static final int RX_PACKETS = 2;
    private static final int RX_BYTES = 3;
    private static final int LAST_HEARD = 4;
    private final AtomicLongArray counters = new AtomicLongArray(5);

    void sent(int bytes) {
        counters.incrementAndGet(TX_PACKETS);
        counters.addAndGet(TX_BYTES, bytes);
    }

    void received(int bytes, long nowMillis) {
        counters.incrementAndGet(RX_PACKETS);
        counters.addAndGet(RX_BYTES, bytes);
        counters.lazySet(LAST_HEARD, nowMillis);
    }

    NetworkStats.PeerStats snapshot() {
        long heard = counters.get(LAST_HEARD);
        return new NetworkStats.PeerStats(counters.get(TX_PACKETS), counters.get(TX_BYTES), counters.get(RX_PACKETS),
                counters.get(RX_BYTES), heard == 0 ? null : Instant.ofEpochMilli(heard));
    }
}
