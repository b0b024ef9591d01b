package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.spi.backend.NetworkStats;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DataPathStatsTest {

    /** The keys /metrics, weft status and the drop summaries show; README lists the same. */
    @Test
    void everyDropReasonHasItsKeyInTheSnapshot() {
        NetworkStats snapshot = new DataPathStats().snapshot(Map.of());
        assertEquals(List.of("unknown-peer", "wrong-port", "short", "bad-version", "bad-header-length",
                "bad-total-length", "spoofed-source", "not-our-subnet", "tun-not-ipv4", "no-route", "net-unreachable",
                "ttl-exceeded", "send-failed", "receive-failed", "tun-write-failed", "bad-offload"),
                Arrays.stream(DropReason.values()).map(DropReason::key).toList());
        for (DropReason r : DropReason.values()) {
            assertEquals(0L, snapshot.drops().get(r.key()), r.key());
        }
    }

    @Test
    void dropsOfEachQueueAndSideAddUpByReason() {
        DataPathStats stats = new DataPathStats(2);
        stats.rx(0).drop(DropReason.SPOOFED_SOURCE);
        stats.rx(1).drop(DropReason.SPOOFED_SOURCE, 2);
        stats.rx(1).drop(DropReason.WRONG_PORT);
        stats.tx(0).drop(DropReason.NO_ROUTE);
        NetworkStats snapshot = stats.snapshot(Map.of());
        assertEquals(3L, snapshot.drops().get("spoofed-source"));
        assertEquals(1L, snapshot.drops().get("wrong-port"));
        assertEquals(1L, snapshot.drops().get("no-route"));
        assertEquals(0L, snapshot.drops().get("unknown-peer"));
        assertEquals(Map.of(DropReason.WRONG_PORT, 1L, DropReason.SPOOFED_SOURCE, 3L, DropReason.NO_ROUTE, 1L),
                stats.dropCounts());
    }
}
