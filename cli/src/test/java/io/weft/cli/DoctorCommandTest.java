package io.weft.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.LeaseAttrs;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft doctor}'s flags, output formats and exit codes through the real command. No check here sends a packet:
 * the daemon (alloc backend, on loopback) has no peers doctor would probe, or doctor stops at a usage error before
 * any probe; the live checks run in the lab ({@code DoctorTest} in it-tests).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DoctorCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    @Test
    void withNoDaemonTheDaemonCheckFailsWithCauseAndFixAndTheStoreIsStillCheckedExit1() throws Exception {
        String port = String.valueOf(CliHarness.freePort());
        CliHarness.Result r = weft.run("doctor", "--store", "shared", "--healthz-port", port);
        assertEquals(1, r.code(), r.err());
        assertEquals("", r.err());
        assertEquals(String.join("\n",
                "      CHECK         SUBJECT                           RESULT",
                "FAIL  daemon        this host                         cannot reach the weft daemon at"
                        + " http://127.0.0.1:" + port + "/status: connection refused; is it running, and with this"
                        + " --healthz-port? -- cause: the weft daemon is not running here, is still starting, or"
                        + " listens on another --healthz-port -- fix: start it (systemctl start weft), wait until it"
                        + " is ready, or give doctor its --healthz-port",
                "ok    store         store                             answers: 0 lease(s)",
                "",
                "1 of 2 checks failed", ""), r.out());

        CliHarness.Result json = weft.run("doctor", "--store", "shared", "--healthz-port", port, "-o", "json");
        assertEquals(1, json.code(), json.err());
        JsonNode report = JSON.readTree(json.out());
        assertFalse(report.get("passed").asBoolean());
        assertEquals(1, report.get("failed").asInt());
        JsonNode daemon = report.get("checks").get(0);
        assertEquals("host", daemon.get("scope").asText());
        assertEquals("daemon", daemon.get("check").asText());
        assertEquals("fail", daemon.get("result").asText());
        assertTrue(daemon.get("fix").asText().startsWith("start it (systemctl start weft)"), daemon.toString());
        JsonNode store = report.get("checks").get(1);
        assertEquals("ok", store.get("result").asText());
        assertFalse(store.has("cause"), "only a failure has a cause and a fix: " + store);
    }

    @Test
    void anUnreachableStoreFailsTheStoreCheck() throws Exception {
        String port = String.valueOf(CliHarness.freePort());
        // etcd on a loopback port where nothing listens.
        CliHarness.Result r = weft.run("doctor", "--etcd-endpoints", "http://127.0.0.1:" + CliHarness.freePort(),
                "--healthz-port", port, "-o", "json");
        assertEquals(1, r.code(), r.err());
        JsonNode store = JSON.readTree(r.out()).get("checks").get(1);
        assertEquals("fail", store.get("result").asText(), store.toString());
        assertTrue(store.get("fix").asText().contains("--etcd-endpoints"), store.toString());
    }

    @Test
    void aPeerThatIsNeitherASubnetNorAnAddressIsAUsageError() {
        weft.fails(2, "weft: --peer 10.5.300.0 is neither a subnet such as 10.5.34.0/24 nor a PublicIP such as"
                + " 198.18.0.2: --peer \"10.5.300.0\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0"
                + " (see 'weft doctor --help')", "doctor", "--store", "shared", "--peer", "10.5.300.0");
        weft.fails(2, "weft: Invalid value for option '--output': expected one of [table, json] (case-sensitive) but"
                + " was 'yaml' (see 'weft doctor --help')", "doctor", "--store", "shared", "-o", "yaml");
    }

    @Test
    void aPeerTheDaemonDoesNotKnowIsAUsageErrorNamingThePeersItKnows() throws Exception {
        int port = CliHarness.freePort();
        weft.shared.writeNetworkConfig("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        weft.shared.createLease(Ipv4Subnet.parse("100.96.200.0/24"), LeaseAttrs.of("198.18.0.2", "alloc"),
                Duration.ofHours(24));
        weft.start("daemon", "--store", "shared", "--iface", "lo", "--public-ip", "198.18.0.1",
                "--subnet-file", dir.resolve("subnet.env").toString(), "--healthz-port", String.valueOf(port));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> weft.get(port, "/metrics").body().contains("weft_peers 1.0"));

        for (String peer : new String[] {"100.96.99.0/24", "100.96.99.0-24", "198.18.0.9"}) {
            weft.fails(2, "weft: --peer " + peer.replace('-', '/').replace("198.18.0.9", "198.18.0.9")
                    .replace("100.96.99.0/24", "100.96.99.0/24") + " names no peer of this host: its peers are"
                    + " 100.96.200.0/24 (198.18.0.2); give a peer's subnet or PublicIP as weft status shows them"
                    + " (see 'weft doctor --help')", "doctor", "--store", "shared", "--healthz-port",
                    String.valueOf(port), "--subnet-file", dir.resolve("subnet.env").toString(), "--peer", peer);
        }
    }

    @Test
    void theStoreCheckShowsWhenThisHostsLeaseExpires() throws Exception {
        int port = CliHarness.freePort();
        weft.shared.writeNetworkConfig("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        weft.start("daemon", "--store", "shared", "--iface", "lo", "--public-ip", "198.18.0.1",
                "--subnet-file", dir.resolve("subnet.env").toString(), "--healthz-port", String.valueOf(port));
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> weft.get(port, "/readyz").statusCode() == 200);

        // The store lists leases with their expiration unread; doctor asks for this host's only, and shows it.
        CliHarness.Result r = weft.run("doctor", "--store", "shared", "--healthz-port", String.valueOf(port),
                "--subnet-file", dir.resolve("subnet.env").toString(), "-o", "json");
        JsonNode report = JSON.readTree(r.out());
        assertTrue(report.has("checks"), r.out() + r.err());
        JsonNode lease = null;
        for (JsonNode c : report.get("checks")) {
            if ("store".equals(c.get("scope").asText()) && "lease".equals(c.get("check").asText())) {
                lease = c;
            }
        }
        assertTrue(lease != null, r.out() + r.err());
        assertEquals("ok", lease.get("result").asText(), lease.toString());
        assertTrue(lease.get("detail").asText().matches("held by 198\\.18\\.0\\.1, expires in 14[0-9]{2} min"),
                lease.toString());
    }

    @Test
    void helpNamesEveryFlagAndTheExitCodes() {
        String help = weft.ok("doctor", "--help").out();
        for (String text : new String[] {"-o, --output=FORMAT", "--peer=SUBNET|PUBLIC_IP", "--subnet-file=FILE",
            "--healthz-port=PORT", "--healthz-ip=ADDR", "--etcd-endpoints=URL", "--ipsec-state-dir=DIR",
            "--ipsec-psk-file=FILE",
            "Exit codes: 0 every check passed, 1 a check failed, 2 usage error."}) {
            assertTrue(help.contains(text), text + " in\n" + help);
        }
    }
}
