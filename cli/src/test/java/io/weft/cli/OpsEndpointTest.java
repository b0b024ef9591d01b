package io.weft.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's local endpoint on loopback, with the alloc backend: /healthz, /readyz before and after the
 * lease, /metrics, and {@code weft status} reading /status.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpsEndpointTest {
    @RegisterExtension
    final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    @Test
    void readyzIs503UntilTheLeaseIsHeldThen200AndMetricsAndStatusDescribeTheHost() throws Exception {
        int port = CliHarness.freePort();
        weft.start("daemon", "--store", "shared", "--iface", "lo", "--public-ip", "198.18.0.1",
                "--subnet-file", dir.resolve("subnet.env").toString(), "--healthz-port", String.valueOf(port));

        // No network config yet: the daemon waits for it, healthy but not ready.
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> weft.get(port, "/healthz").statusCode() == 200);
        HttpResponse<String> notReady = weft.get(port, "/readyz");
        assertEquals(503, notReady.statusCode());
        assertEquals("waiting for network config: network config not found in the in-memory store; pass it with"
                + " --net-config-path FILE\n", notReady.body());

        weft.shared.writeNetworkConfig("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        await().atMost(Duration.ofSeconds(20)).until(() -> weft.get(port, "/readyz").statusCode() == 200);
        assertEquals("ready\n", weft.get(port, "/readyz").body());

        weft.shared.createLease(io.weft.core.model.Ipv4Subnet.parse("100.96.200.0/24"),
                io.weft.core.model.LeaseAttrs.of("198.18.0.2", "alloc"), Duration.ofHours(24));
        await().atMost(Duration.ofSeconds(20))
                .until(() -> weft.get(port, "/metrics").body().contains("weft_peers 1.0"));
        String metrics = weft.get(port, "/metrics").body();
        for (String line : new String[] {"weft_lease_held 1.0", "weft_packets_total{direction=\"tx\"} 0.0",
            "weft_bytes_total{direction=\"rx\"} 0.0", "weft_store_reconnects_total 0.0",
            "weft_lease_renew_failures_total 0.0", "weft_peer_lease_renewals_total 0.0",
            "weft_peer_route_latency_seconds_count 1", "weft_watch_opens_total 1.0",
            "weft_peer_batches_total 1.0"}) {
            assertTrue(metrics.contains(line), line + " in\n" + metrics);
        }
        assertTrue(metrics.matches("(?s).*weft_lease_expiry_seconds 8\\d{4}\\.\\d+.*"), metrics);

        CliHarness.Result json = weft.run("status", "--healthz-port", String.valueOf(port), "-o", "json");
        assertEquals(0, json.code(), json.err());
        JsonNode s = new ObjectMapper().readTree(json.out());
        assertEquals("198.18.0.1", s.get("publicIP").asText());
        assertEquals("alloc", s.get("backend").asText());
        assertTrue(s.get("ready").asBoolean());
        assertEquals("100.96.200.0/24", s.get("peers").get(0).get("subnet").asText());
        assertEquals(0, s.get("offloads").size(), "alloc moves no packets: " + s);
        assertEquals(0, s.get("queues").size(), s.toString());

        String table = weft.run("status", "--healthz-port", String.valueOf(port)).out();
        assertTrue(table.matches("(?s)SUBNET +100\\.96\\.\\d+\\.0/24\nPUBLIC-IP +198\\.18\\.0\\.1\nNETWORK +100\\.96\\.0\\.0/16\n"
                + "BACKEND +alloc\nMTU +\\d+\nEXPIRES +\\d{4}-.*Z\nREADY +yes\nOFFLOADS +none\nQUEUES +-\n"
                + "REPAIRED +none\n\n"
                + "PEER +PUBLIC-IP +TX-PKTS +RX-PKTS +TX-BYTES +RX-BYTES +KEY-CHANGES +LAST-HEARD +STATE\n"
                + "100\\.96\\.200\\.0/24 +198\\.18\\.0\\.2 +0 +0 +0 +0 +0 +never +-\n"), table);
    }

    @Test
    void statusWithoutADaemonSaysHowToReachIt() throws IOException {
        int port = CliHarness.freePort();
        CliHarness.Result r = weft.run("status", "--healthz-port", String.valueOf(port));
        assertEquals(1, r.code());
        assertEquals("weft: cannot reach the weft daemon at http://127.0.0.1:" + port + "/status: connection refused;"
                + " is it running, and with this --healthz-port?\n", r.err());
    }
}
