package io.weft.core.ops;

import io.weft.core.spi.backend.NetworkStats;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs dropped packets as one summary line per interval (the counts since the last line, by reason)
 * instead of a line per packet, so a flood of bad packets cannot flood the log. Stepped by the daemon's
 * housekeeping thread; {@link #summarize} is pure.
 */
public final class DropSummary {
    private static final Logger LOG = LoggerFactory.getLogger(DropSummary.class);

    private final Supplier<NetworkStats> stats;
    private final Duration interval;
    private Map<String, Long> last = Map.of();

    public DropSummary(Supplier<NetworkStats> stats, Duration interval) {
        this.stats = stats;
        this.interval = interval;
    }

    /** The summary line for the drops between two readings, or empty when nothing was dropped. */
    static Optional<String> summarize(Map<String, Long> before, Map<String, Long> now, Duration interval) {
        StringBuilder line = new StringBuilder();
        long total = 0;
        for (Map.Entry<String, Long> e : new TreeMap<>(now).entrySet()) {
            long delta = e.getValue() - before.getOrDefault(e.getKey(), 0L);
            if (delta > 0) {
                line.append(' ').append(e.getKey()).append('=').append(delta);
                total += delta;
            }
        }
        if (total == 0) {
            return Optional.empty();
        }
        return Optional.of("packets dropped in the last " + interval.toSeconds() + "s total=" + total + line);
    }

    public Duration interval() {
        return interval;
    }

    /** Takes the counts a first {@link #step()} compares with. */
    public void begin() {
        last = stats.get().drops();
    }

    /** Logs the drops since the last step (or {@link #begin()}), if any; called every interval. */
    public void step() {
        Map<String, Long> now = stats.get().drops();
        summarize(last, now, interval).ifPresent(LOG::warn);
        last = now;
    }
}
