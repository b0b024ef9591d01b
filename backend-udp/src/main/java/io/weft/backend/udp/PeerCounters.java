package io.weft.backend.udp;

import io.weft.core.spi.backend.NetworkStats;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * One peer's traffic counters, held by its {@link RouteTable} entry. They outlive route tables:
 * {@link RouteUpdates} carries them into each next table for as long as the peer stays. Updated allocation-free by the forwarding threads: the tx
 * counters only by {@code weft-udp-tun-to-udp}, the rx counters only by {@code weft-udp-udp-to-tun}. With one
 * writer each, an update is a plain read and an ordered write (no locked instruction), and tx and rx sit
 * 128 bytes apart (and away from neighbouring objects) so the two threads don't share a cache line. Readers
 * see each counter's latest published value; thread-safe.
 */
final class PeerCounters {
    private static final int PAD = 16;
    private static final int TX_PACKETS = PAD;
    private static final int TX_BYTES = PAD + 1;
    private static final int RX_PACKETS = 2 * PAD;
    private static final int RX_BYTES = 2 * PAD + 1;
    private static final int LAST_HEARD = 2 * PAD + 2;
    private final AtomicLongArray counters = new AtomicLongArray(3 * PAD);

    /** Called by the tun-to-udp thread only. */
    void sent(int bytes) {
        counters.lazySet(TX_PACKETS, counters.get(TX_PACKETS) + 1);
        counters.lazySet(TX_BYTES, counters.get(TX_BYTES) + bytes);
    }

    /** Called by the udp-to-tun thread only. */
    void received(int bytes, long nowMillis) {
        counters.lazySet(RX_PACKETS, counters.get(RX_PACKETS) + 1);
        counters.lazySet(RX_BYTES, counters.get(RX_BYTES) + bytes);
        counters.lazySet(LAST_HEARD, nowMillis);
    }

    NetworkStats.PeerStats snapshot() {
        long heard = counters.get(LAST_HEARD);
        return new NetworkStats.PeerStats(counters.get(TX_PACKETS), counters.get(TX_BYTES), counters.get(RX_PACKETS),
                counters.get(RX_BYTES), heard == 0 ? null : Instant.ofEpochMilli(heard));
    }
}
