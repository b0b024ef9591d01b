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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The udp data path's offloads end to end in the lab: TUN TSO/USO, UDP GSO and GRO and several queues on real
 * daemons, next to hosts that run the plain path, and under the ipsec backend; what each host reports it runs
 * with ({@code /metrics}, {@code /status}, the start-up log line) and that bulk TCP arrives intact. Every packet
 * stays inside the lab's namespaces.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class OffloadOverlayTest {
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration TRANSFER = Duration.ofSeconds(120);
    private static final String PSK = "lab-psk-0123456789abcdef0123456789abcdef";
    /** What {@code Backend.Queues} defaults to: one per core, at most 4 (the daemons run on this machine). */
    private static final int DEFAULT_QUEUES = Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    /** A network config with {@code backend} as the Backend object's fields, e.g. {@code "Type":"udp"}. */
    private static String config(String backend) {
        return "{\"Network\":\"" + Lab.OVERLAY + "\",\"SubnetLen\":24,\"Backend\":{" + backend + "}}";
    }

    private List<LabHost> startHosts(String config, int... indexes) {
        lab().startEtcd();
        lab().putNetworkConfig(config);
        List<LabHost> hosts = new ArrayList<>();
        for (int i : indexes) {
            hosts.add(startHost(i));
        }
        hosts.forEach(h -> h.awaitSubnetEnv(STARTUP));
        return hosts;
    }

    private LabHost startHost(int index) {
        LabHost h = lab().addHost(index);
        h.startDaemon();
        return h;
    }

    private static void awaitPingsBothWays(LabHost a, LabHost b) {
        a.awaitPing(b.overlayAddress(), Duration.ofSeconds(20));
        b.awaitPing(a.overlayAddress(), Duration.ofSeconds(20));
    }

    private static JsonNode status(LabHost h) throws Exception {
        return new ObjectMapper().readTree(h.status().orFail().output());
    }

    private static List<String> offloads(JsonNode status) {
        return StreamSupport.stream(status.get("offloads").spliterator(), false).map(JsonNode::asText).toList();
    }

    /** The offloads {@code weft_offload_enabled} reports as on. */
    private static List<String> enabledOffloads(Map<String, Double> metrics) {
        String prefix = "weft_offload_enabled{offload=";
        return metrics.entrySet().stream().filter(e -> e.getKey().startsWith(prefix) && e.getValue() == 1.0)
                .map(e -> e.getKey().substring(prefix.length(), e.getKey().length() - 1)).sorted().toList();
    }

    private static double queuePackets(Map<String, Double> metrics, int queue, String direction) {
        return metrics.getOrDefault("weft_queue_packets_total{direction=" + direction + ",queue=" + queue + "}", -1.0);
    }

    /** The daemon's "udp data path running" line, once it is logged. */
    private static String dataPathLine(LabHost h) {
        LabProcess d = h.daemon().orElseThrow();
        Awaitility.await(h.name() + " logs its data path").atMost(Duration.ofSeconds(20))
                .until(() -> d.output().contains("udp data path running"));
        return d.output().lines().filter(l -> l.contains("udp data path running")).findFirst().orElseThrow();
    }

    /** 50 MB each way between {@code a} and {@code b} at once, each compared by SHA-256 at both ends. */
    private static void move50MegabytesBothWays(LabHost a, LabHost b) {
        TcpSha.Transfer there = TcpSha.start(a, b, 5001, 50, 4);
        TcpSha.Transfer back = TcpSha.start(b, a, 5002, 50, 5);
        System.out.println("FIGURE " + a.name() + "->" + b.name() + " " + there.awaitIntact(TRANSFER));
        System.out.println("FIGURE " + b.name() + "->" + a.name() + " " + back.awaitIntact(TRANSFER));
    }

    /** The drops a host counted (only reasons with any), printed beside the transfers' figures. */
    private static Map<String, Double> drops(LabHost h) {
        Map<String, Double> out = new TreeMap<>();
        h.metrics().forEach((k, v) -> {
            if (k.startsWith("weft_drops_total") && v > 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    @Test
    void offloadsOnThreeHostsReportThemPingEveryPairAndMove50MegabytesBothWays() throws Exception {
        List<LabHost> hosts = startHosts(config("\"Type\":\"udp\""), 1, 2, 3);
        for (LabHost h : hosts) {
            List<String> enabled = enabledOffloads(h.metrics());
            assertTrue(enabled.containsAll(List.of("tso4", "udp-gso", "udp-gro")), h.name() + " runs with " + enabled);
            JsonNode status = status(h);
            assertEquals(enabled, offloads(status).stream().sorted().toList(), "/status and /metrics agree");
            assertEquals(DEFAULT_QUEUES, status.get("queues").size(), "Backend.Queues defaults to min(cores, 4): "
                    + status.get("queues"));
            String line = dataPathLine(h);
            assertTrue(line.contains("queues=" + DEFAULT_QUEUES + " ") && line.contains("udp-gso"), line);
        }
        for (LabHost a : hosts) {
            for (LabHost b : hosts) {
                if (a != b) {
                    a.awaitPing(b.overlayAddress(), Duration.ofSeconds(20));
                }
            }
        }
        move50MegabytesBothWays(hosts.get(0), hosts.get(1));
        System.out.println("FIGURE drops h1=" + drops(hosts.get(0)) + " h2=" + drops(hosts.get(1)));
    }

    @Test
    void offloadsOnTalkToOffloadsOffAndMove50MegabytesBothWays() throws Exception {
        List<LabHost> on = startHosts(config("\"Type\":\"udp\""), 1, 2);
        // A host reads the config when it starts: h3 alone runs the plain path.
        lab().putNetworkConfig(config("\"Type\":\"udp\",\"Offloads\":false"));
        LabHost off = startHost(3);
        off.awaitSubnetEnv(STARTUP);
        LabHost h1 = on.get(0);

        assertTrue(offloads(status(h1)).containsAll(List.of("tso4", "udp-gso", "udp-gro")), status(h1).toString());
        JsonNode offStatus = status(off);
        assertEquals(List.of(), offloads(offStatus), "Offloads:false runs no offload");
        assertEquals(List.of(), enabledOffloads(off.metrics()));
        // Offloads:false does not change the queue count: Backend.Queues (unset, so min(cores, 4)) still decides it.
        assertEquals(DEFAULT_QUEUES, offStatus.get("queues").size(), offStatus.get("queues").toString());
        String line = dataPathLine(off);
        assertTrue(line.contains("queues=" + DEFAULT_QUEUES + " ") && line.endsWith("offloads=none"), line);

        awaitPingsBothWays(h1, off);
        move50MegabytesBothWays(h1, off);
        System.out.println("FIGURE drops h1=" + drops(h1) + " h3=" + drops(off));
    }

    @Test
    // Between two hosts every datagram has one outer 4-tuple, so the kernel's own reuseport hash would give one
    // socket (one queue) them all; the reuseport program steers each datagram to the socket of the queue its inner
    // flow hashes to, that queue writes the flow into the same TUN queue, and the device sends the flow's packets
    // back out of it, so both receiving and sending spread over the queues.
    void parallelStreamsOverTwoQueuesCarryTxAndRxOnBothQueues() throws Exception {
        List<LabHost> hosts = startHosts(config("\"Type\":\"udp\",\"Queues\":2"), 1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        assertEquals(2, status(h1).get("queues").size());
        awaitPingsBothWays(h1, h2);

        LabProcess server = h2.start("iperf3-server", "iperf3", "-s", "-1", "--forceflush", "-B", h2.overlayAddress());
        Awaitility.await("iperf3 listening").atMost(Duration.ofSeconds(20))
                .until(() -> server.output().contains("Server listening"));
        Map<String, Double> before = h1.metrics();
        Map<String, Double> receiverBefore = h2.metrics();
        // 8 TCP flows rather than 4: if the queue of each flow were a fair coin toss, all 8 would land on one of the
        // two queues with probability 2/2^8 (< 1 %), where with 4 it would be 1 in 8.
        Command.Result run = h1.exec(Duration.ofSeconds(60), "iperf3", "-c", h2.overlayAddress(), "-P", "8", "-t", "5",
                "--json").orFail();
        Map<String, Double> after = h1.metrics();
        Map<String, Double> receiverAfter = h2.metrics();
        JsonNode json = new ObjectMapper().readTree(run.output());
        double mbit = json.path("end").path("sum_received").path("bits_per_second").asDouble() / 1e6;
        double[] tx = new double[2];
        double[] rx = new double[2];
        double[] received = new double[2];
        for (int q = 0; q < 2; q++) {
            tx[q] = queuePackets(after, q, "tx") - queuePackets(before, q, "tx");
            rx[q] = queuePackets(after, q, "rx") - queuePackets(before, q, "rx");
            received[q] = queuePackets(receiverAfter, q, "rx") - queuePackets(receiverBefore, q, "rx");
        }
        System.out.println("FIGURE 8 streams h1->h2 " + mbit + " Mbit/s; h1 per-queue tx=" + tx[0] + "," + tx[1]
                + " rx=" + rx[0] + "," + rx[1] + "; h2 status queues=" + status(h2).get("queues"));
        for (int q = 0; q < 2; q++) {
            assertTrue(tx[q] > 1000, "h1's queue " + q + " sent " + tx[q] + " packets of 8 parallel streams; per queue"
                    + " tx=" + tx[0] + "," + tx[1] + " rx=" + rx[0] + "," + rx[1]);
            assertTrue(received[q] > 1000, "h2's queue " + q + " received " + received[q] + " packets of 8 parallel"
                    + " streams; per queue rx=" + received[0] + "," + received[1]);
        }
    }

    @Test
    void ipsecWithOffloadsReceivesWithGroAndMoves50MegabytesBothWays() throws Exception {
        List<LabHost> hosts = new ArrayList<>();
        lab().startEtcd();
        lab().putNetworkConfig(config("\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\",\"Offloads\":true"));
        for (int i = 1; i <= 2; i++) {
            LabHost h = lab().addHost(i);
            h.startDaemon(Map.of("WEFT_IPSEC_STATE_DIR", h.workDir().resolve("ipsec").toString()));
            hosts.add(h);
        }
        hosts.forEach(h -> h.awaitSubnetEnv(STARTUP));
        for (LabHost h : hosts) {
            // ESP seals each segment of a super-packet and opens each datagram of a GRO train, so ipsec runs
            // with the offloads, on as many queues as udp (each sending queue with SAs of its own).
            List<String> enabled = enabledOffloads(h.metrics());
            assertTrue(enabled.containsAll(List.of("tso4", "udp-gso", "udp-gro")), h.name() + " runs with " + enabled);
            JsonNode status = status(h);
            assertEquals(java.util.Set.copyOf(enabled), java.util.Set.copyOf(offloads(status)));
            assertEquals(DEFAULT_QUEUES, status.get("queues").size(), status.get("queues").toString());
        }
        awaitPingsBothWays(hosts.get(0), hosts.get(1));
        move50MegabytesBothWays(hosts.get(0), hosts.get(1));
        assertFalse(drops(hosts.get(1)).getOrDefault("weft_drops_total{reason=esp-auth-failed}", 0.0) > 0,
                drops(hosts.get(1)).toString());
    }

    /**
     * Every ipsec host's lease says it takes partial inner checksums, so a sender leaves the checksums of the
     * segments it cuts partial: an offload host hands them to its device as partial, a host with
     * {@code "Offloads": false} completes them itself. Bulk TCP both ways between two offload hosts and between an
     * offload host and a plain one arrives intact, and no host's kernel counts a TCP checksum error (a receiver
     * that gave its device a partial packet as a complete one would make the kernel drop and count it).
     */
    @Test
    void ipsecHostsTakePartialChecksumsWithAndWithoutOffloadsAndNoKernelCountsAChecksumError() throws Exception {
        lab().startEtcd();
        lab().putNetworkConfig(config("\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\""));
        LabHost h1 = startIpsecHost(1);
        LabHost h2 = startIpsecHost(2);
        h1.awaitSubnetEnv(STARTUP);
        h2.awaitSubnetEnv(STARTUP);
        // A host reads the config when it starts: h3 alone runs without offloads.
        lab().putNetworkConfig(config("\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\",\"Offloads\":false"));
        LabHost off = startIpsecHost(3);
        off.awaitSubnetEnv(STARTUP);
        String leases = lab().etcdctl("get", "--prefix", "/coreos.com/network/subnets/", "--print-value-only")
                .orFail().output();
        for (String line : leases.strip().split("\n")) {
            assertEquals(true, new ObjectMapper().readTree(line).path("BackendData").path("PartialChecksums")
                    .booleanValue(), line);
        }
        assertTrue(offloads(status(h1)).contains("tso4"), status(h1).toString());
        assertEquals(List.of(), offloads(status(off)));
        awaitPingsBothWays(h1, h2);
        awaitPingsBothWays(h1, off);
        Map<LabHost, Long> before = new java.util.HashMap<>();
        for (LabHost h : List.of(h1, h2, off)) {
            before.put(h, tcpChecksumErrors(h));
        }
        move50MegabytesBothWays(h1, h2);
        move50MegabytesBothWays(off, h1);
        for (LabHost h : List.of(h1, h2, off)) {
            assertEquals(before.get(h), tcpChecksumErrors(h), h.name() + "'s kernel counted TCP checksum errors");
        }
    }

    private LabHost startIpsecHost(int index) {
        LabHost h = lab().addHost(index);
        h.startDaemon(Map.of("WEFT_IPSEC_STATE_DIR", h.workDir().resolve("ipsec").toString()));
        return h;
    }

    /** The host namespace's TCP InCsumErrors, from /proc/net/snmp. */
    private static long tcpChecksumErrors(LabHost h) {
        String[] lines = h.exec("cat", "/proc/net/snmp").orFail().output().split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Tcp:") && lines[i + 1].startsWith("Tcp:")) {
                List<String> names = List.of(lines[i].trim().split("\\s+"));
                String[] values = lines[i + 1].trim().split("\\s+");
                return Long.parseLong(values[names.indexOf("InCsumErrors")]);
            }
        }
        throw new AssertionError("no Tcp lines in " + h.name() + "'s /proc/net/snmp");
    }
}
