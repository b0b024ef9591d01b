package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Operating weft, end to end in the lab: masquerade with real iptables inside the host namespaces,
 * metrics parsed by the Prometheus text parser, {@code weft status} for three hosts, and SIGTERM during
 * traffic.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class OperationsTest {
    private static final String CONFIG = "{\"Network\":\"" + Lab.OVERLAY + "\",\"Backend\":{\"Type\":\"udp\"}}";
    private static final String PYTHON = "/usr/bin/python3";
    /** Accepts one TCP connection on port 7000 and prints the peer's address. */
    private static final String PEER_PRINTER = "import socket\n"
            + "s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)\n"
            + "s.bind(('0.0.0.0', 7000)); s.listen(); s.settimeout(60); print('listening', flush=True)\n"
            + "c, a = s.accept(); print('peer=' + a[0], flush=True)\n";
    /** Connects to argv[1]:7000 from source address argv[2]. */
    private static final String CONNECT_FROM = "import socket, sys\n"
            + "c = socket.socket(); c.settimeout(10); c.bind((sys.argv[2], 0)); c.connect((sys.argv[1], 7000)); c.close()\n";

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    private List<LabHost> hosts(int count, String... daemonArgs) {
        lab().startEtcd();
        lab().putNetworkConfig(CONFIG);
        for (int i = 1; i <= count; i++) {
            lab().addHost(i).startDaemon(daemonArgs);
        }
        for (LabHost h : lab().hosts()) {
            Awaitility.await(h + " is ready").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100))
                    .until(() -> http(h, "/readyz").startsWith("200") || !h.daemon().orElseThrow().isAlive());
            assertTrue(h.daemon().orElseThrow().isAlive(), () -> h + " exited: " + h.daemon().orElseThrow().output());
        }
        for (LabHost a : lab().hosts()) {
            for (LabHost b : lab().hosts()) {
                if (a != b) {
                    Awaitility.await(a + " pings " + b).atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                            .until(() -> a.ping(b.overlayAddress()));
                }
            }
        }
        return lab().hosts();
    }

    /** "STATUS body" of a GET to the daemon's local endpoint, from inside the host's namespace. */
    private static String http(LabHost h, String path) {
        Command.Result r = h.exec(Duration.ofSeconds(10), PYTHON, "-c", "import sys, urllib.request, urllib.error\n"
                + "try:\n    r = urllib.request.urlopen('http://127.0.0.1:8286' + sys.argv[1], timeout=5)\n"
                + "    print(r.status, r.read().decode(), end='')\n"
                + "except urllib.error.HTTPError as e:\n    print(e.code, e.read().decode(), end='')\n"
                + "except OSError as e:\n    print('000', e)\n", path);
        return r.output();
    }

    private static String peerSeenFrom(LabHost server, LabHost client, String destination, String source) {
        LabProcess printer = server.start("peer-printer-" + System.nanoTime(), PYTHON, "-c", PEER_PRINTER);
        Awaitility.await("printer listening").atMost(Duration.ofSeconds(20)).until(() -> printer.output().contains("listening"));
        client.exec(Duration.ofSeconds(20), PYTHON, "-c", CONNECT_FROM, destination, source).orFail();
        Awaitility.await("peer printed").atMost(Duration.ofSeconds(20)).until(() -> printer.output().contains("peer="));
        return printer.output().lines().filter(l -> l.startsWith("peer=")).findFirst().orElseThrow().substring(5);
    }

    @Test
    void ipMasqHidesOverlaySourcesOutsideKeepsThemInsideAndIsRestoredAndRemoved() {
        List<LabHost> hosts = hosts(2, "--ip-masq", "--iptables-resync", "1");
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        LabHost outside = lab().addBystander("out", 200);
        assertEquals("true", h1.subnetEnv().get("FLANNEL_IPMASQ"));

        assertEquals(h1.address(), peerSeenFrom(outside, h1, outside.address(), h1.overlayAddress()),
                "leaving the Network, the overlay source is masqueraded to the host's own address");
        assertEquals(h1.overlayAddress(), peerSeenFrom(h2, h1, h2.overlayAddress(), h1.overlayAddress()),
                "between overlay hosts the overlay source is kept");

        h1.exec("iptables", "-t", "nat", "-F", "WEFT-POSTRTG").orFail();
        Awaitility.await("rules restored").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> h1.exec("iptables-save", "-t", "nat").output().contains("-j MASQUERADE"));

        assertFalse(h1.exec("iptables-save", "-t", "filter").output().contains("WEFT-FWD"),
                "--iptables-forward-rules=false installs no FORWARD rules");
        assertEquals(0, h1.stopDaemon());
        String rules = h1.exec("iptables-save").output();
        assertFalse(rules.contains("weft") || rules.contains("WEFT"), rules);
    }

    @Test
    void metricsParseAndCountTrafficAndStatusShowsEveryPeer() throws Exception {
        List<LabHost> hosts = hosts(3);
        LabHost h1 = hosts.get(0);
        Map<String, Double> before = h1.metrics();
        assertEquals(1.0, before.get("weft_lease_held"));
        assertEquals(2.0, before.get("weft_peers"));
        assertTrue(before.get("weft_lease_expiry_seconds") > 23 * 3600, before.toString());

        h1.exec(Duration.ofSeconds(30), "ping", "-n", "-q", "-c", "50", "-i", "0.01", hosts.get(1).overlayAddress()).orFail();
        Map<String, Double> after = h1.metrics();
        assertTrue(after.get("weft_packets_total{direction=tx}") >= before.get("weft_packets_total{direction=tx}") + 50,
                before + " -> " + after);
        assertTrue(after.get("weft_packets_total{direction=rx}") >= before.get("weft_packets_total{direction=rx}") + 50,
                before + " -> " + after);
        assertTrue(after.get("weft_bytes_total{direction=tx}") >= before.get("weft_bytes_total{direction=tx}") + 50 * 84,
                before + " -> " + after);

        JsonNode status = new ObjectMapper().readTree(h1.status().orFail().output());
        assertEquals(h1.subnet(), status.get("subnet").asText());
        assertEquals("udp", status.get("backend").asText());
        assertEquals(1472, status.get("mtu").asInt());
        assertEquals(2, status.get("peers").size());
        for (JsonNode peer : status.get("peers")) {
            LabHost other = peer.get("publicIP").asText().equals(hosts.get(1).address()) ? hosts.get(1) : hosts.get(2);
            assertEquals(other.subnet(), peer.get("subnet").asText());
        }
        JsonNode toH2 = status.get("peers").findParents("publicIP").stream()
                .filter(p -> p.get("publicIP").asText().equals(hosts.get(1).address())).findFirst().orElseThrow();
        assertTrue(toH2.get("txPackets").asLong() >= 50 && toH2.get("rxPackets").asLong() >= 50, toH2.toString());
        assertFalse(toH2.get("lastHeard").isNull());

        String table = h1.exec(Duration.ofSeconds(30), "env", "WEFT_JAVA_OPTS=-Xmx64m",
                Lab.repositoryRoot().resolve("bin/weft").toString(), "status").orFail().output();
        assertTrue(table.contains("SUBNET       " + h1.subnet() + "\n"), table);
        assertTrue(table.contains("READY        yes\n"), table);
        for (LabHost other : hosts.subList(1, 3)) {
            assertTrue(table.lines().anyMatch(l -> l.startsWith(other.subnet()) && l.contains(other.address())), table);
        }

        // A host that joins while h1 watches: its route's latency is observed once, and it is short.
        double seen = h1.metrics().get("weft_peer_route_latency_seconds_count");
        LabHost h4 = lab().addHost(4);
        h4.startDaemon();
        Awaitility.await("h1 observes h4's route latency").atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> h1.metrics().get("weft_peer_route_latency_seconds_count") == seen + 1);
        Map<String, Double> joined = h1.metrics();
        assertEquals(3.0, joined.get("weft_peers"));
        assertEquals(joined.get("weft_peer_route_latency_seconds_bucket{le=1.0}"),
                joined.get("weft_peer_route_latency_seconds_count"), "usable within 1 s of reaching h1: " + joined);
        // Leases are renewed, not re-reported: h1 counts renewals apart from route changes.
        assertTrue(joined.containsKey("weft_peer_lease_renewals_total"), joined.toString());
    }

    @Test
    void aFloodOfBadPacketsIsLoggedAsRateLimitedSummaries() {
        LabHost h1 = hosts(2).get(0);
        LabHost stranger = lab().addBystander("flood", 77);
        stranger.exec(Duration.ofSeconds(60), PYTHON, "-c", "import socket, sys\n"
                + "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                + "for i in range(5000):\n    s.sendto(b'not an ip packet', (sys.argv[1], 8285))\n", h1.address()).orFail();
        LabProcess daemon = h1.daemon().orElseThrow();
        Awaitility.await("a drop summary").atMost(Duration.ofSeconds(25)).pollInterval(Duration.ofMillis(500))
                .until(() -> daemon.output().contains("packets dropped in the last 10s"));
        List<String> dropLines = daemon.output().lines().filter(l -> l.contains("dropped") || l.contains("unknown-peer"))
                .toList();
        assertTrue(dropLines.size() <= 3, "summaries, not a line per packet: " + dropLines);
        assertTrue(dropLines.get(0).contains("unknown-peer="), dropLines.toString());
        assertTrue(h1.metrics().get("weft_drops_total{reason=unknown-peer}") >= 4000, "the drops are all counted");
    }

    @Test
    void sigtermDuringTrafficExitsZeroWithinFiveSecondsAndLeavesNothingBehind() {
        List<LabHost> hosts = hosts(2, "--ip-masq", "--iptables-forward-rules=true");
        LabHost h1 = hosts.get(0);
        assertTrue(h1.exec("iptables-save", "-t", "filter").output().contains("-A FORWARD -m comment --comment \"weft forward\" -j WEFT-FWD"),
                "FORWARD accept rules while running");
        LabProcess flood = hosts.get(1).start("ping-flood", "ping", "-n", "-q", "-i", "0.005", "-w", "30",
                h1.overlayAddress());
        Awaitility.await("traffic flows").atMost(Duration.ofSeconds(10)).until(() -> h1.deviceCounter("weft0", "tx_packets") > 100);

        long t0 = System.nanoTime();
        assertEquals(0, h1.stopDaemon());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5), "stopped within 5 s");
        assertFalse(h1.exec("ip", "link").output().contains("weft0"), h1.exec("ip", "link").output());
        assertFalse(h1.exec("ip", "route").output().contains("100.96."), h1.exec("ip", "route").output());
        String rules = h1.exec("iptables-save").output();
        assertFalse(rules.contains("WEFT"), rules);
        flood.stop(Duration.ofSeconds(5));
    }
}
