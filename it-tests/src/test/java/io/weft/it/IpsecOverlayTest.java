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
import io.weft.it.lab.TcpSha;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The experimental ipsec backend end to end (issue 5): real daemons in lab namespaces, each with its own key
 * directory, ESP in UDP on port 4500 of the lab's underlay, captures with tcpdump inside a host namespace,
 * decryption by tshark with the SAs {@code weft ipsec sa --wireshark} exports, tampering with captured
 * packets, a host with another PSK, and SA rotation under iperf3. Every packet stays inside the lab.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IpsecOverlayTest {
    private static final String PSK = "lab-psk-0123456789abcdef0123456789abcdef";
    private static final String OTHER_PSK = "another-psk-0123456789abcdef0123456789abcdef";
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final String MARKER = "weft-secret-marker";

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    private static String config(String psk, int rekeySeconds) {
        return config(psk, rekeySeconds, true);
    }

    private static String config(String psk, int rekeySeconds, boolean offloads) {
        return "{\"Network\":\"" + Lab.OVERLAY + "\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"ipsec\",\"PSK\":\"" + psk
                + "\",\"RekeySeconds\":" + rekeySeconds + ",\"Offloads\":" + offloads + "}}";
    }

    private static Path stateDir(LabHost h) {
        return h.workDir().resolve("ipsec");
    }

    private LabHost startHost(int index) {
        LabHost h = lab().addHost(index);
        h.startDaemon(Map.of("WEFT_IPSEC_STATE_DIR", stateDir(h).toString()));
        return h;
    }

    private List<LabHost> startHosts(String config, int... indexes) {
        lab().startEtcd();
        lab().putNetworkConfig(config);
        List<LabHost> hosts = new ArrayList<>();
        for (int i : indexes) {
            hosts.add(startHost(i));
        }
        hosts.forEach(IpsecOverlayTest::awaitSubnetEnv);
        return hosts;
    }

    private static void awaitSubnetEnv(LabHost h) {
        h.awaitSubnetEnv(STARTUP);
    }

    private static void awaitPing(LabHost from, LabHost to) {
        from.awaitPing(to.overlayAddress(), Duration.ofSeconds(20));
    }

    /** tcpdump of ESP in UDP on the host's underlay interface, stopping by itself after {@code count} packets. */
    private static LabProcess capture(LabHost h, Path file, int count) {
        LabProcess p = h.start("tcpdump-" + System.nanoTime(), "tcpdump", "-i", "eth0", "-n", "-U", "-s", "0", "-c",
                String.valueOf(count), "-w", file.toString(), "udp", "port", "4500");
        Awaitility.await("tcpdump listening").atMost(Duration.ofSeconds(20))
                .until(() -> p.output().contains("listening on"));
        return p;
    }

    /** Drop counter {@code reason} from the daemon's /metrics. */
    private static double drops(LabHost h, String reason) {
        String text = h.exec(Duration.ofSeconds(10), "curl", "-s", "--max-time", "5",
                "http://127.0.0.1:8286/metrics").orFail().output();
        Matcher m = Pattern.compile("weft_drops_total\\{reason=\"" + Pattern.quote(reason) + "\"\\} (\\S+)").matcher(text);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private List<String> wiresharkSas(LabHost h) {
        return h.exec(Duration.ofSeconds(60), Lab.repositoryRoot().resolve("bin/weft").toString(), "ipsec", "sa",
                "--wireshark", "--etcd-endpoints", lab().etcdEndpoint(), "--ipsec-state-dir", stateDir(h).toString())
                .orFail().output().lines().filter(l -> l.startsWith("\"IPv4\"")).toList();
    }

    private static String tshark(Path file, List<String> options) {
        List<String> cmd = new ArrayList<>(List.of("tshark", "-n", "-r", file.toString()));
        cmd.addAll(options);
        return Command.run(Duration.ofSeconds(60), cmd).orFail().output();
    }

    @Test
    void threeHostsPingEveryPairMove50MegabytesAndTheWireIsEspThatTsharkDecrypts() throws Exception {
        // Offloads off: with UDP GSO a train crosses the lab's veth as one buffer, and tcpdump taps it before any
        // segmentation, so the capture would hold trains where a physical wire carries single datagrams (the
        // datagrams are the same either way; OffloadOverlayTest moves ipsec traffic with the offloads on).
        List<LabHost> hosts = startHosts(config(PSK, 3600, false), 1, 2, 3);
        for (LabHost h : hosts) {
            // bin/weft runs the jar, whose manifest opens the JDK's GHASH: the ESP that tshark decrypts below is
            // ComposedAesGcm's.
            String log = h.daemon().orElseThrow().output();
            assertTrue(log.contains("ipsec backend starting") && log.contains("aesGcm=jdk-aes+ghash")
                    && !log.contains("AES-GCM through the JCE's Cipher"), log);
            assertEquals("1438", h.subnetEnv().get("FLANNEL_MTU"), "1500 minus 62 bytes of ESP-in-UDP overhead");
            assertTrue(Files.exists(stateDir(h).resolve("ipsec-x25519.key")));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(stateDir(h).resolve("ipsec-x25519.key"))));
        }
        String leases = lab().etcdctl("get", "--prefix", "/coreos.com/network/subnets/", "--print-value-only")
                .orFail().output();
        assertTrue(leases.contains("\"BackendType\":\"ipsec\"") && leases.contains("\"PublicKey\""), leases);
        for (LabHost from : hosts) {
            for (LabHost to : hosts) {
                if (from != to) {
                    awaitPing(from, to);
                }
            }
        }

        LabHost sender = hosts.get(0);
        LabHost receiver = hosts.get(1);
        Path pcap = lab().work().resolve("ipsec-underlay.pcap");
        LabProcess tcpdump = capture(receiver, pcap, 3000);
        String pattern = HexFormat.of().formatHex(MARKER.substring(0, 16).getBytes(StandardCharsets.US_ASCII));
        sender.exec(Duration.ofSeconds(20), "ping", "-n", "-c", "3", "-i", "0.2", "-p", pattern,
                receiver.overlayAddress()).orFail();
        TcpSha.start(sender, receiver, 5001, 50, 4).awaitIntact(Duration.ofSeconds(150));
        Awaitility.await("capture complete").atMost(Duration.ofSeconds(20)).until(() -> !tcpdump.isAlive());

        byte[] captured = Files.readAllBytes(pcap);
        assertTrue(captured.length > 1_000_000, "captured " + captured.length + " bytes");
        assertFalse(new String(captured, StandardCharsets.ISO_8859_1).contains(MARKER.substring(0, 16)),
                "the ICMP marker is not on the wire in clear");

        String esp = tshark(pcap, List.of("-T", "fields", "-e", "frame.protocols"));
        long espFrames = esp.lines().filter(l -> l.contains(":esp")).count();
        assertTrue(espFrames >= 2900, espFrames + " of 3000 frames decode as ESP:\n" + esp.lines().limit(5).toList());

        List<String> sas = new ArrayList<>(wiresharkSas(sender));
        sas.addAll(wiresharkSas(receiver));
        assertTrue(sas.size() >= 4, sas.toString());
        List<String> options = new ArrayList<>(List.of("-o", "esp.enable_encryption_decode:TRUE"));
        for (String sa : sas) {
            options.addAll(List.of("-o", "uat:esp_sa:" + sa));
        }
        options.addAll(List.of("-T", "fields", "-e", "frame.protocols", "-e", "data.data"));
        String decrypted = tshark(pcap, options);
        List<String> rows = decrypted.lines().toList();
        long icmp = rows.stream().filter(l -> l.contains("esp:ip:icmp")).count();
        long tcp = rows.stream().filter(l -> l.contains("esp:ip:tcp")).count();
        assertTrue(icmp >= 6, "3 echo requests and 3 replies decrypt to ICMP: " + icmp + "\n" + rows.stream().limit(8).toList());
        assertTrue(tcp >= 2500, "the transfer decrypts to TCP: " + tcp + " of " + rows.size());
        assertTrue(decrypted.contains(pattern), "the decrypted ICMP payload carries the marker");
        System.out.println("FIGURE ipsec capture frames=" + rows.size() + " esp=" + espFrames + " icmp=" + icmp
                + " tcp=" + tcp);
    }

    @Test
    void replayedAndTamperedPacketsAreCountedAndAnotherPskIsRefusedAndLoggedOnce() throws Exception {
        List<LabHost> hosts = startHosts(config(PSK, 3600), 1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        awaitPing(h1, h2);
        awaitPing(h2, h1);

        Path pcap = lab().work().resolve("ipsec-tamper.pcap");
        LabProcess tcpdump = capture(h2, pcap, 2);
        h1.exec(Duration.ofSeconds(20), "ping", "-n", "-c", "2", "-i", "0.2", h2.overlayAddress()).orFail();
        Awaitility.await("capture complete").atMost(Duration.ofSeconds(20)).until(() -> !tcpdump.isAlive());
        String payloadHex = tshark(pcap, List.of("-Y", "ip.src==198.18.0.1", "-T", "fields", "-e", "udp.payload"))
                .lines().filter(l -> l.matches("[0-9a-f]{64,}")).findFirst().orElseThrow(() -> new AssertionError("no ESP from h1"));
        byte[] esp = HexFormat.of().parseHex(payloadHex.strip());
        byte[] tampered = esp.clone();
        tampered[4] ^= 0x01; // the sequence number's high byte: a fresh number, so the ICV, not the window, decides

        double replaysBefore = drops(h2, "esp-replay");
        double authBefore = drops(h2, "esp-auth-failed");
        // From h1's address and its port 4500, as an on-path replayer would (h1's daemon holds the port, so a raw
        // socket writes the UDP header; a datagram from another port is dropped as wrong-port before any ESP work).
        String send = "import socket, struct, sys\np = bytes.fromhex(sys.argv[1])\n"
                + "s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)\n"
                + "s.sendto(struct.pack('!HHHH', 4500, 4500, 8 + len(p), 0) + p, ('198.18.0.2', 0))\n";
        h1.exec(Duration.ofSeconds(10), "python3", "-c", send, HexFormat.of().formatHex(esp)).orFail();
        h1.exec(Duration.ofSeconds(10), "python3", "-c", send, HexFormat.of().formatHex(tampered)).orFail();
        Awaitility.await("replay and tampering counted").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                .until(() -> drops(h2, "esp-replay") == replaysBefore + 1 && drops(h2, "esp-auth-failed") == authBefore + 1);
        awaitPing(h1, h2);

        // h3 reads the config after it changed: another PSK than h1 and h2 use.
        lab().putNetworkConfig(config(OTHER_PSK, 3600));
        LabHost h3 = startHost(3);
        awaitSubnetEnv(h3);
        Awaitility.await("h1 and h3 see each other's leases").atMost(Duration.ofSeconds(20))
                .until(() -> h1.daemon().orElseThrow().output().contains("peer added subnet=" + h3.subnet())
                        && h3.daemon().orElseThrow().output().contains("peer added subnet=" + h1.subnet()));
        // The warning needs 5 failing packets from a peer within a minute, none verifying: one ping each way per round.
        for (int i = 0; i < 5; i++) {
            assertFalse(h1.ping(h3.overlayAddress()), "h1 reaches h3 despite another PSK");
            assertFalse(h3.ping(h1.overlayAddress()), "h3 reaches h1 despite another PSK");
        }
        String why = "fail authentication: it most likely has another PSK";
        Awaitility.await("both sides say why").atMost(Duration.ofSeconds(10)).until(() ->
                h1.daemon().orElseThrow().output().contains("peer 198.18.0.3 (subnet " + h3.subnet() + ") " + why)
                        && h3.daemon().orElseThrow().output().contains("peer 198.18.0.1 (subnet " + h1.subnet() + ") "
                        + why));
        // More failing traffic across several report periods still gives one line per side.
        Awaitility.await("each side logs it once").during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(10))
                .pollInterval(Duration.ofMillis(500)).until(() -> {
                    h1.ping(h3.overlayAddress());
                    h3.ping(h1.overlayAddress());
                    return count(h1.daemon().orElseThrow().output(), "peer 198.18.0.3 (subnet") == 1
                            && count(h3.daemon().orElseThrow().output(), "peer 198.18.0.1 (subnet") == 1;
                });
        assertTrue(drops(h1, "esp-auth-failed") > 0 && drops(h3, "esp-auth-failed") > 0);
        awaitPing(h1, h2);
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
            n++;
        }
        return n;
    }

    @Test
    void rotationDuringA60SecondIperf3ChangesSasTwiceWithoutAStall() throws Exception {
        List<LabHost> hosts = startHosts(config(PSK, 12), 1, 2);
        LabHost client = hosts.get(0);
        LabHost server = hosts.get(1);
        awaitPing(client, server);
        awaitPing(server, client);
        LabProcess iperf = server.start("iperf3-server", "iperf3", "-s", "-1", "--forceflush", "-B",
                server.overlayAddress());
        Awaitility.await("iperf3 listening").atMost(Duration.ofSeconds(20))
                .until(() -> iperf.output().contains("Server listening"));
        Command.Result run = client.exec(Duration.ofSeconds(100), "iperf3", "-c", server.overlayAddress(), "-t", "60",
                "-i", "0.5", "--json").orFail();
        JsonNode json = new ObjectMapper().readTree(run.output());
        List<Double> mbits = new ArrayList<>();
        for (JsonNode interval : json.path("intervals")) {
            mbits.add(interval.path("sum").path("bits_per_second").asDouble() / 1e6);
        }
        assertTrue(mbits.size() >= 110, "0.5 s intervals over 60 s: " + mbits.size());
        // A stall over 1 s would leave at least one whole 0.5 s interval without a byte.
        double slowest = mbits.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(slowest > 0, "an interval moved nothing: " + mbits);
        String log = client.daemon().orElseThrow().output();
        long outboundSas = log.lines().filter(l -> l.contains("ipsec SA in use direction=out")).count();
        String serverLog = server.daemon().orElseThrow().output();
        long inboundSas = serverLog.lines().filter(l -> l.contains("ipsec SA in use direction=in")).count();
        assertTrue(outboundSas >= 3 && inboundSas >= 3, "at least two SA changes after the first SA: out="
                + outboundSas + " in=" + inboundSas);
        assertEquals(0.0, drops(server, "esp-auth-failed"));
        System.out.println("FIGURE ipsec rotation: outboundSas=" + outboundSas + " inboundSas=" + inboundSas
                + " slowestIntervalMbit=" + slowest + " receiverMbit="
                + json.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e6);
    }
}
