package io.weft.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.spi.backend.NetworkStats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The route-latency histogram: its classic buckets in the text format, and no thread of its own. */
class DaemonMetricsTest {
    @Test
    void theRouteLatencyHistogramShowsItsBucketsAndStartsNoSchedulerThread() throws IOException {
        DaemonMetrics metrics = new DaemonMetrics(() -> 1, () -> 3600, () -> 0, () -> NetworkStats.NONE, () -> 0,
                () -> 0, () -> 0, () -> 0, () -> 0);
        metrics.observeRouteLatency(0.002);
        metrics.observeRouteLatency(0.2);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        String text = out.toString(StandardCharsets.UTF_8);

        assertTrue(text.contains("weft_peer_route_latency_seconds_bucket{le=\"0.005\"} 1"), text);
        assertTrue(text.contains("weft_peer_route_latency_seconds_count 2"), text);
        List<String> prometheusThreads = Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.startsWith("prometheus")).toList();
        assertEquals(List.of(), prometheusThreads, "threads the metrics client started");
    }
}
