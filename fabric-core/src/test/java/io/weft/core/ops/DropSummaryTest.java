package io.weft.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DropSummaryTest {
    private static final Duration TEN = Duration.ofSeconds(10);

    @Test
    void oneLineWithTheCountsSinceTheLastLineByReason() {
        assertEquals(Optional.of("packets dropped in the last 10s total=1500 bad-version=500 unknown-peer=1000"),
                DropSummary.summarize(Map.of("unknown-peer", 200L), Map.of("unknown-peer", 1200L, "bad-version", 500L), TEN));
    }

    @Test
    void nothingWhenNothingWasDropped() {
        assertEquals(Optional.empty(), DropSummary.summarize(Map.of("short", 3L), Map.of("short", 3L), TEN));
        assertEquals(Optional.empty(), DropSummary.summarize(Map.of(), Map.of(), TEN));
    }
}
