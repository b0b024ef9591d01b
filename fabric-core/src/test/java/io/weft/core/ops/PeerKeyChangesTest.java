package io.weft.core.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.backend.ExternalInterface;
import io.weft.core.spi.backend.NetworkStats;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A backend's per-peer key changes in /metrics and in the /status document that {@code weft status} prints. */
class PeerKeyChangesTest {
    private static final Lease B = new Lease(Ipv4Subnet.parse("100.96.2.0/24"), LeaseAttrs.of("198.18.0.2", "ipsec"),
            null);
    private static final Lease C = new Lease(Ipv4Subnet.parse("100.96.3.0/24"), LeaseAttrs.of("198.18.0.3", "ipsec"),
            null);
    private final NetworkStats stats = new NetworkStats(0, 0, 0, 0, Map.of(), Map.of(), List.of(), List.of())
            .withKeyChanges(Map.of("198.18.0.2", 2L));

    @Test
    void metricsCountEachPeersKeyChangesByPublicIp() throws Exception {
        DaemonMetrics metrics = new DaemonMetrics(() -> 1, () -> 1.0, () -> 2, () -> stats, () -> 0, () -> 0, () -> 0,
                () -> 0, () -> 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        metrics.write(out);
        String text = out.toString(StandardCharsets.UTF_8);
        assertTrue(text.contains("weft_peer_key_changes_total{peer=\"198.18.0.2\"} 2.0\n"), text);
        assertTrue(!text.contains("peer=\"198.18.0.3\""), text);
    }

    @Test
    void statusShowsEachPeersKeyChangesAndZeroForTheOthers() throws Exception {
        String json = StatusJson.render(null, NetworkConfigParser.parse("{\"Network\":\"100.96.0.0/16\"}"), 1438,
                new ExternalInterface("eth0", "198.18.0.1", 1400), true, Map.of(B.subnet(), B, C.subnet(), C), stats);
        JsonNode status = new ObjectMapper().readTree(json);
        assertEquals("eth0", status.get("externalInterface").asText(), "doctor reads the interface");
        assertEquals(1400, status.get("underlayMtu").asInt(), "and the underlay MTU the backend was sized for");
        JsonNode peers = status.get("peers");
        assertEquals(2, peers.get(0).get("keyChanges").asLong());
        assertEquals(0, peers.get(1).get("keyChanges").asLong());
    }

    @Test
    void withDropsKeepsTheKeyChanges() {
        assertEquals(Map.of("198.18.0.2", 2L), stats.withDrops(Map.of("esp-replay", 1L)).keyChanges());
        assertEquals(Map.of(), NetworkStats.NONE.keyChanges());
    }
}
