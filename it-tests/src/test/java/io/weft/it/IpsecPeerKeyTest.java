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
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Peers' ipsec keys end to end (issue 12, item 3): a key change is logged with both fingerprints, counted in
 * /metrics and shown by {@code weft status}; a host started with a copy of another's key file is refused by
 * everyone until it leaves; a key flipped away and back in etcd leaves a captured packet a replay. Every packet
 * stays inside the lab.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IpsecPeerKeyTest {
    private static final String PSK = "lab-psk-0123456789abcdef0123456789abcdef";
    private static final String CONFIG = Lab.networkConfig("{\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\"}");
    private static final Duration LOGGED = Duration.ofSeconds(20);
    /** Another valid X25519 public key (RFC 7748's Alice), to flip a lease to. */
    private static final String OTHER_KEY = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    /** Sends one UDP payload (hex) from port 4500 of this namespace's address, without binding the port. */
    private static final String SEND_FROM_4500 = """
            import socket, struct, sys
            payload = bytes.fromhex(sys.argv[2])
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
            s.sendto(struct.pack('!HHHH', 4500, 4500, 8 + len(payload), 0) + payload, (sys.argv[1], 0))
            """;

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private static Path stateDir(LabHost h) {
        return h.workDir().resolve("ipsec");
    }

    private static LabProcess start(LabHost h, String... flags) {
        return h.startDaemon(Map.of("WEFT_IPSEC_STATE_DIR", stateDir(h).toString()), flags);
    }

    private static String log(LabHost h) {
        return h.daemon().orElseThrow().output();
    }

    private static void awaitLog(LabHost h, String needle) {
        Awaitility.await(h.name() + " logs " + needle).atMost(LOGGED).pollInterval(Duration.ofMillis(200))
                .until(() -> log(h).contains(needle));
    }

    /** Hosts h1 and h2, each with its own ipsec state directory, once h1 reaches h2. */
    private static List<LabHost> startHosts(Lab lab) {
        lab.startEtcd(CONFIG);
        List<LabHost> hosts = lab.startHosts(IpsecPeerKeyTest::start, 1, 2);
        hosts.get(0).awaitPing(hosts.get(1).overlayAddress(), Duration.ofSeconds(20));
        return hosts;
    }

    /** The public key an ipsec host publishes, from its lease. */
    private String publishedKey(LabHost h) throws Exception {
        String value = extension.lab().leaseValue(h);
        return new ObjectMapper().readTree(value).path("BackendData").path("PublicKey").asText();
    }

    /** The fingerprint the README tells users to compute: sha256 of the raw key, first 16 hex digits. */
    private static String fingerprint(String key) throws Exception {
        byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(key));
        return HexFormat.of().formatHex(digest, 0, 8);
    }

    private static double drops(LabHost h, String reason) {
        return h.metrics().getOrDefault("weft_drops_total{reason=" + reason + "}", 0.0);
    }

    @Test
    void aKeyChangeIsLoggedCountedAndShownAndAClonedKeyFileIsRefusedUntilItLeaves() throws Exception {
        Lab lab = extension.lab();
        List<LabHost> hosts = startHosts(lab);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        String before = publishedKey(h2);

        // h2 loses its key file and restarts: same lease, new key.
        h2.stopDaemon();
        Files.delete(stateDir(h2).resolve("ipsec-x25519.key"));
        start(h2);
        h2.awaitSubnetEnv();
        Awaitility.await("h2 publishes a new key").atMost(LOGGED).until(() -> !publishedKey(h2).equals(before));
        String after = publishedKey(h2);
        awaitLog(h1, "WARN EspTransform - ipsec peer key changed peer=198.18.0.2 subnet=" + h2.subnet() + " old="
                + fingerprint(before) + " new=" + fingerprint(after) + ": ");
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
        assertEquals(1.0, h1.metrics().get("weft_peer_key_changes_total{peer=198.18.0.2}"));
        JsonNode status = new ObjectMapper().readTree(h1.status().orFail().output());
        assertEquals(1, status.path("peers").get(0).path("keyChanges").asInt(), status.toString());
        String table = h1.weft("status").orFail().output();
        assertTrue(table.contains("KEY-CHANGES"), table);
        String row = "(?m)^" + Pattern.quote(h2.subnet()) + " +198\\.18\\.0\\.2 +\\d+ +\\d+ +\\d+ +\\d+ +1 ";
        assertTrue(Pattern.compile(row).matcher(table).find(), "KEY-CHANGES 1 for h2:\n" + table);

        // h3 starts from a copy of h2's key file, as a cloned VM image would.
        LabHost h3 = lab.addHost(3);
        Files.createDirectories(stateDir(h3), PosixFilePermissions.asFileAttribute(
                PosixFilePermissions.fromString("rwx------")));
        Files.copy(stateDir(h2).resolve("ipsec-x25519.key"), stateDir(h3).resolve("ipsec-x25519.key"),
                StandardCopyOption.COPY_ATTRIBUTES);
        start(h3, "--revoke-lease-on-exit");
        h3.awaitSubnetEnv();
        String refused = "WARN EspTransform - ipsec peer refused peer=";
        awaitLog(h1, refused + "198.18.0.2 subnet=" + h2.subnet() + " key=" + fingerprint(after)
                + ": peer 198.18.0.3 publishes the same PublicKey (a copied key file or a cloned VM image?); its"
                + " packets are dropped as esp-duplicate-key until it has a key of its own: stop weft on that host,"
                + " delete ipsec-x25519.key in its ipsec state directory and start weft again");
        awaitLog(h1, refused + "198.18.0.3 subnet=" + h3.subnet());
        awaitLog(h2, refused + "198.18.0.3 subnet=" + h3.subnet() + " key=" + fingerprint(after)
                + ": it publishes this host's own PublicKey");
        assertFalse(h1.ping(h2.overlayAddress()), "h1 still reaches h2 although h3 publishes its key");
        assertFalse(h1.ping(h3.overlayAddress()), "h1 reaches h3 with a cloned key");
        assertTrue(drops(h1, "esp-duplicate-key") >= 2, "both refused pings are counted");

        // The clone leaves (its lease with it): h2 is the only one with its key again.
        h3.stopDaemon();
        awaitLog(h1, "INFO EspTransform - ipsec peer accepted again peer=198.18.0.2 subnet=" + h2.subnet());
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));
    }

    @Test
    void aKeyFlippedAwayAndBackInEtcdLeavesACapturedPacketAReplay() throws Exception {
        Lab lab = extension.lab();
        List<LabHost> hosts = startHosts(lab);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);

        Path pcap = lab.work().resolve("flip.pcap");
        LabProcess tcpdump = h2.start("tcpdump", "tcpdump", "-i", "eth0", "-n", "-U", "-s", "0", "-c", "1", "-w",
                pcap.toString(), "udp", "and", "src", "host", "198.18.0.1", "and", "port", "4500");
        Awaitility.await("tcpdump listening").atMost(LOGGED).until(() -> tcpdump.output().contains("listening on"));
        h1.exec(Duration.ofSeconds(20), "ping", "-n", "-c", "1", h2.overlayAddress()).orFail();
        Awaitility.await("capture complete").atMost(LOGGED).until(() -> !tcpdump.isAlive());
        String payload = Command.run(Duration.ofSeconds(60), List.of("tshark", "-n", "-r", pcap.toString(), "-T",
                "fields", "-e", "udp.payload")).orFail().output().lines().filter(l -> l.matches("[0-9a-f]{64,}"))
                .findFirst().orElseThrow(() -> new AssertionError("no ESP from h1 captured")).strip();

        // An etcd writer flips h1's key away, then back; h2 sees both changes.
        String key = h1.leaseKey();
        String original = lab.leaseValue(h1);
        String mine = publishedKey(h1);
        lab.etcdctl("put", "--ignore-lease", key, original.replace(mine, OTHER_KEY)).orFail();
        awaitLog(h2, "ipsec peer key changed peer=198.18.0.1 subnet=" + h1.subnet() + " old=" + fingerprint(mine)
                + " new=" + fingerprint(OTHER_KEY));
        lab.etcdctl("put", "--ignore-lease", key, original).orFail();
        awaitLog(h2, "ipsec peer key changed peer=198.18.0.1 subnet=" + h1.subnet() + " old=" + fingerprint(OTHER_KEY)
                + " new=" + fingerprint(mine));
        assertEquals(2.0, h2.metrics().get("weft_peer_key_changes_total{peer=198.18.0.1}"));

        double replays = drops(h2, "esp-replay");
        Path script = lab.work().resolve("send-from-4500.py");
        Files.writeString(script, SEND_FROM_4500);
        h1.exec(Duration.ofSeconds(10), "python3", script.toString(), "198.18.0.2", payload).orFail();
        Awaitility.await("the captured packet counted as a replay").atMost(LOGGED).pollInterval(Duration.ofMillis(200))
                .until(() -> drops(h2, "esp-replay") == replays + 1);
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
    }
}
