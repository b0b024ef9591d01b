package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The ipsec PSK kept off etcd (issue 12): real daemons in lab namespaces given {@code --ipsec-psk-file} and
 * {@code --ipsec-state-dir}, with a network config that holds no PSK (and a {@code Backend.StateDir} they must
 * ignore). They form an encrypted overlay whose underlay carries only ESP; a PSK file others can read stops a
 * daemon with one line and a non-zero exit; the file wins over a config's PSK, and a PSK only in the config is
 * warned about once. Every packet stays inside the lab.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IpsecPskFileTest {
    private static final String PSK = "psk-file-0123456789abcdef0123456789abcdef";
    private static final String CONFIG_PSK = "config-psk-0123456789abcdef0123456789abcdef";
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String MARKER = "weft-pskfile-mark";

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    private static String config(String backendFields) {
        return "{\"Network\":\"" + Lab.OVERLAY + "\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"ipsec\",\"Offloads\":false"
                + backendFields + "}}";
    }

    private static Path stateDir(LabHost h) {
        return h.workDir().resolve("ipsec");
    }

    /** The PSK in this host's own file, with a trailing newline as an editor leaves it. */
    private static Path pskFile(LabHost h, String mode) throws Exception {
        Path file = Files.createDirectories(h.workDir()).resolve("ipsec.psk");
        Files.writeString(file, PSK + "\n");
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    private static LabProcess startWithPskFile(LabHost h, Path pskFile) {
        return h.startDaemon("--ipsec-psk-file", pskFile.toString(), "--ipsec-state-dir", stateDir(h).toString());
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    @Test
    void daemonsWithPskFilesAndAConfigWithoutPskFormAnEncryptedOverlay() throws Exception {
        lab().startEtcd();
        Path planted = Files.createDirectories(lab().work().resolve("planted"));
        lab().putNetworkConfig(config(",\"StateDir\":\"" + planted + "\""));
        LabHost h1 = lab().addHost(1);
        LabHost h2 = lab().addHost(2);
        startWithPskFile(h1, pskFile(h1, "rw-------"));
        startWithPskFile(h2, pskFile(h2, "r--------"));
        h1.awaitSubnetEnv(STARTUP);
        h2.awaitSubnetEnv(STARTUP);
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(30));
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(30));

        // Every UDP datagram on h2's underlay while h1 pings it with a marker: ESP only, no marker in clear.
        Path pcap = lab().work().resolve("pskfile-underlay.pcap");
        LabProcess tcpdump = h2.start("tcpdump", "tcpdump", "-i", "eth0", "-n", "-U", "-s", "0", "-c", "8", "-w",
                pcap.toString(), "udp");
        Awaitility.await("tcpdump listening").atMost(Duration.ofSeconds(20))
                .until(() -> tcpdump.output().contains("listening on"));
        String pattern = HexFormat.of().formatHex(MARKER.substring(0, 16).getBytes(StandardCharsets.US_ASCII));
        h1.exec(Duration.ofSeconds(20), "ping", "-n", "-c", "5", "-i", "0.2", "-p", pattern, h2.overlayAddress())
                .orFail();
        Awaitility.await("capture complete").atMost(Duration.ofSeconds(20)).until(() -> !tcpdump.isAlive());
        String captured = new String(Files.readAllBytes(pcap), StandardCharsets.ISO_8859_1);
        assertFalse(captured.contains(MARKER.substring(0, 16)), "the ICMP marker is not on the wire in clear");
        List<String> protocols = Command.run(Duration.ofSeconds(60), List.of("tshark", "-n", "-r", pcap.toString(),
                "-T", "fields", "-e", "frame.protocols")).orFail().output().lines().filter(l -> l.startsWith("eth:"))
                .toList();
        assertEquals(8, protocols.size(), protocols.toString());
        assertTrue(protocols.stream().allMatch(p -> p.endsWith(":esp")), "every datagram is ESP in UDP: " + protocols);

        for (LabHost h : List.of(h1, h2)) {
            String log = h.daemon().orElseThrow().output();
            assertEquals(1, count(log, "ipsec PSK from file=" + h.workDir().resolve("ipsec.psk")), log);
            assertEquals(0, count(log, "ipsec PSK from Backend.PSK"), log);
            assertEquals(1, count(log, "WARN IpsecBackend - Backend.StateDir \"" + planted
                    + "\" in the network config is ignored: the state directory comes only from this host; set it"
                    + " with --ipsec-state-dir DIR or WEFT_IPSEC_STATE_DIR (now " + stateDir(h) + ")"), log);
            assertTrue(Files.exists(stateDir(h).resolve("ipsec-x25519.key")));
        }
        try (var files = Files.list(planted)) {
            assertEquals(0, files.count(), "nothing is read or written in the config's StateDir");
        }
        String etcd = lab().etcdctl("get", "--prefix", "/coreos.com/network/", "--print-value-only").orFail().output();
        assertFalse(etcd.contains(PSK), "the PSK is nowhere in etcd");
    }

    @Test
    void aPskFileOthersCanReadStopsTheDaemonWithOneLine() throws Exception {
        lab().startEtcd();
        lab().putNetworkConfig(config(""));
        LabHost h1 = lab().addHost(1);
        Path psk = pskFile(h1, "rw-r--r--");
        LabProcess daemon = startWithPskFile(h1, psk);
        Awaitility.await("the daemon exits").atMost(STARTUP).until(() -> !daemon.isAlive());
        assertEquals(1, h1.stopDaemon(), daemon.output());
        List<String> errors = daemon.output().lines().filter(l -> l.startsWith("weft: ")).toList();
        assertEquals(List.of("weft: ipsec PSK file " + psk + " has mode 0644 (owner uid 0): it must be 0600 or 0400,"
                + " readable by its owner only; fix it with 'chmod 600 " + psk + "'"), errors, daemon.output());
        assertFalse(Files.exists(h1.subnetFile()), "no subnet.env");
        assertEquals("", lab().etcdctl("get", "--prefix", "/coreos.com/network/subnets/", "--keys-only").orFail()
                .output().strip(), "no lease taken");

        // The fix the message names is enough.
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-------"));
        startWithPskFile(h1, psk);
        h1.awaitSubnetEnv(STARTUP);
    }

    @Test
    void theFileWinsOverBackendPskAndAConfigOnlyPskIsWarnedAboutOnce() throws Exception {
        lab().startEtcd();
        lab().putNetworkConfig(config(",\"PSK\":\"" + CONFIG_PSK + "\""));
        LabHost h1 = lab().addHost(1);
        LabHost h2 = lab().addHost(2);
        startWithPskFile(h1, pskFile(h1, "rw-------"));
        h2.startDaemon("--ipsec-state-dir", stateDir(h2).toString());
        h1.awaitSubnetEnv(STARTUP);
        h2.awaitSubnetEnv(STARTUP);
        Awaitility.await("h1 and h2 see each other's leases").atMost(Duration.ofSeconds(30))
                .until(() -> h1.daemon().orElseThrow().output().contains("peer added subnet=" + h2.subnet())
                        && h2.daemon().orElseThrow().output().contains("peer added subnet=" + h1.subnet()));
        for (int i = 0; i < 2; i++) {
            assertFalse(h1.ping(h2.overlayAddress()), "h1 keys with its file, h2 with the config: no traffic");
        }
        String log1 = h1.daemon().orElseThrow().output();
        assertEquals(1, count(log1, "INFO IpsecBackend - ipsec PSK from file="
                + h1.workDir().resolve("ipsec.psk") + "; Backend.PSK in the network config is ignored: the host's file"
                + " wins"), log1);
        String log2 = h2.daemon().orElseThrow().output();
        assertEquals(1, count(log2, "WARN IpsecBackend - ipsec PSK from Backend.PSK in the"
                + " network config, which every etcd reader can read: put it in a file of mode 0600 on each host,"
                + " give it with --ipsec-psk-file FILE, and remove it from the config"), log2);

        // h2 given the same file: its file wins too, and the two meet.
        assertEquals(0, h2.stopDaemon());
        startWithPskFile(h2, pskFile(h2, "rw-------"));
        h2.awaitSubnetEnv(STARTUP);
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(30));
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(30));
    }
}
