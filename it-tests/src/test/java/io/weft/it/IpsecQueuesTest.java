package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import io.weft.it.lab.TcpSha;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ipsec on several queues, end to end in the lab: each sending queue seals with an SA of its own (its queue in
 * the SPI's low 2 bits), each receiving queue opens the SAs its socket is steered, and hosts that run different
 * queue counts still talk both ways. Per-queue figures come from {@code weft_queue_packets_total}, which counts
 * each queue's decrypted packets (rx) and sealed ones (tx). Every packet stays inside the lab's namespaces.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class IpsecQueuesTest {
    private static final Duration STARTUP = Duration.ofSeconds(90);
    private static final Duration TRANSFER = Duration.ofSeconds(150);
    private static final String PSK = "lab-psk-0123456789abcdef0123456789abcdef";

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    private static String config(int queues) {
        return "{\"Network\":\"" + Lab.OVERLAY + "\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"ipsec\",\"PSK\":\"" + PSK
                + "\",\"Queues\":" + queues + "}}";
    }

    private static Path stateDir(LabHost h) {
        return h.workDir().resolve("ipsec");
    }

    /** Starts host {@code index} with the network config in etcd now; a host reads it when it starts. */
    private LabHost startHost(int index) {
        LabHost h = lab().addHost(index);
        h.startDaemon(Map.of("WEFT_IPSEC_STATE_DIR", stateDir(h).toString()));
        h.awaitSubnetEnv(STARTUP);
        return h;
    }

    private static JsonNode status(LabHost h) throws Exception {
        return new ObjectMapper().readTree(h.status().orFail().output());
    }

    private static double queuePackets(Map<String, Double> metrics, int queue, String direction) {
        return metrics.getOrDefault("weft_queue_packets_total{direction=" + direction + ",queue=" + queue + "}", -1.0);
    }

    private static void awaitPingsBothWays(LabHost a, LabHost b) {
        a.awaitPing(b.overlayAddress(), Duration.ofSeconds(20));
        b.awaitPing(a.overlayAddress(), Duration.ofSeconds(20));
    }

    /** The ESP drops a host counted (only reasons with any). */
    private static Map<String, Double> espDrops(LabHost h) {
        Map<String, Double> out = new TreeMap<>();
        h.metrics().forEach((k, v) -> {
            if (k.startsWith("weft_drops_total{reason=esp-") && v > 0) {
                out.put(k, v);
            }
        });
        return out;
    }

    /** 8 parallel TCP streams from {@code client} to {@code server} for 5 s; returns the Mbit/s received. */
    private static double iperf8Streams(LabHost client, LabHost server) throws Exception {
        LabProcess iperf = server.start("iperf3-server", "iperf3", "-s", "-1", "--forceflush", "-B",
                server.overlayAddress());
        Awaitility.await("iperf3 listening").atMost(Duration.ofSeconds(20))
                .until(() -> iperf.output().contains("Server listening"));
        Command.Result run = client.exec(Duration.ofSeconds(60), "iperf3", "-c", server.overlayAddress(), "-P", "8",
                "-t", "5", "--json").orFail();
        return new ObjectMapper().readTree(run.output()).path("end").path("sum_received").path("bits_per_second")
                .asDouble() / 1e6;
    }

    /** The sending queues (SPI low 2 bits) of the current inbound SAs {@code h} keeps from {@code peer}. */
    private Set<Integer> inboundQueuesFrom(LabHost h, LabHost peer) {
        String table = h.exec(Duration.ofSeconds(60), Lab.repositoryRoot().resolve("bin/weft").toString(), "ipsec",
                "sa", "--etcd-endpoints", lab().etcdEndpoint(), "--ipsec-state-dir", stateDir(h).toString()).orFail()
                .output();
        Set<Integer> queues = new TreeSet<>();
        for (String line : table.lines().toList()) {
            String[] f = line.trim().split("\\s+");
            if (f.length >= 5 && f[0].equals("in") && f[1].equals(peer.address()) && f[4].equals("current")) {
                queues.add((int) (Long.parseLong(f[3].substring(2), 16) & 3));
            }
        }
        return queues;
    }

    @Test
    void eightStreamsOverTwoQueuesAreSealedAndOpenedOnBothQueuesAndArriveIntact() throws Exception {
        lab().startEtcd();
        lab().putNetworkConfig(config(2));
        LabHost h1 = startHost(1);
        LabHost h2 = startHost(2);
        for (LabHost h : List.of(h1, h2)) {
            assertEquals(2, status(h).get("queues").size(), status(h).get("queues").toString());
            String log = h.daemon().orElseThrow().output();
            assertTrue(log.contains("ipsec receive steering on: the transform's program picks each datagram's queue"
                    + " (queues=2)"), log);
        }
        awaitPingsBothWays(h1, h2);

        Map<String, Double> before = h1.metrics();
        Map<String, Double> receiverBefore = h2.metrics();
        double mbit = iperf8Streams(h1, h2);
        Map<String, Double> after = h1.metrics();
        Map<String, Double> receiverAfter = h2.metrics();
        double[] sealed = new double[2];
        double[] opened = new double[2];
        for (int q = 0; q < 2; q++) {
            sealed[q] = queuePackets(after, q, "tx") - queuePackets(before, q, "tx");
            opened[q] = queuePackets(receiverAfter, q, "rx") - queuePackets(receiverBefore, q, "rx");
        }
        System.out.println("FIGURE ipsec 8 streams h1->h2 over 2 queues " + mbit + " Mbit/s; h1 per-queue tx="
                + sealed[0] + "," + sealed[1] + "; h2 per-queue rx=" + opened[0] + "," + opened[1]);
        for (int q = 0; q < 2; q++) {
            assertTrue(sealed[q] > 1000, "h1's queue " + q + " sealed " + sealed[q] + " packets of 8 streams; per"
                    + " queue tx=" + sealed[0] + "," + sealed[1]);
            assertTrue(opened[q] > 1000, "h2's queue " + q + " opened " + opened[q] + " packets of 8 streams; per"
                    + " queue rx=" + opened[0] + "," + opened[1]);
        }
        assertEquals(Set.of(0, 1), inboundQueuesFrom(h2, h1), "an inbound SA of each of h1's sending queues");

        List<TcpSha.Transfer> transfers = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            transfers.add(TcpSha.start(h1, h2, 5001 + i, 20, 10 + i));
            transfers.add(TcpSha.start(h2, h1, 5101 + i, 20, 20 + i));
        }
        for (TcpSha.Transfer t : transfers) {
            System.out.println("FIGURE " + t.awaitIntact(TRANSFER));
        }
        assertEquals(Map.of(), espDrops(h2), "no ESP drop at h2");
        assertEquals(Map.of(), espDrops(h1), "no ESP drop at h1");
    }

    @Test
    void aTwoQueueHostAndAOneQueueHostTalkBothWays() throws Exception {
        lab().startEtcd();
        lab().putNetworkConfig(config(2));
        LabHost two = startHost(1);
        lab().putNetworkConfig(config(1));
        LabHost one = startHost(2);
        assertEquals(2, status(two).get("queues").size(), status(two).get("queues").toString());
        assertEquals(1, status(one).get("queues").size(), status(one).get("queues").toString());
        awaitPingsBothWays(two, one);

        Map<String, Double> before = two.metrics();
        Map<String, Double> receiverBefore = one.metrics();
        double mbit = iperf8Streams(two, one);
        Map<String, Double> after = two.metrics();
        Map<String, Double> receiverAfter = one.metrics();
        double sealed0 = queuePackets(after, 0, "tx") - queuePackets(before, 0, "tx");
        double sealed1 = queuePackets(after, 1, "tx") - queuePackets(before, 1, "tx");
        double opened = queuePackets(receiverAfter, 0, "rx") - queuePackets(receiverBefore, 0, "rx");
        System.out.println("FIGURE ipsec 8 streams 2-queue h1 -> 1-queue h2 " + mbit + " Mbit/s; h1 per-queue tx="
                + sealed0 + "," + sealed1 + "; h2 rx=" + opened);
        assertTrue(sealed0 > 1000 && sealed1 > 1000, "h1 sealed on both queues: tx=" + sealed0 + "," + sealed1);
        // Had it refused the SAs of h1's second queue, it would have opened no more than one queue's packets (the
        // kernel may still drop a few datagrams when the one socket's buffer runs over on a loaded machine).
        assertTrue(opened > Math.max(sealed0, sealed1) + Math.min(sealed0, sealed1) / 2, "h2's one queue opened what"
                + " both of h1's sealed: rx=" + opened + " tx=" + sealed0 + "," + sealed1);
        assertEquals(Set.of(0, 1), inboundQueuesFrom(one, two), "the one-queue host takes both of h1's queues' SAs");
        assertEquals(Set.of(0), inboundQueuesFrom(two, one), "the one-queue host seals with one SA");

        TcpSha.Transfer there = TcpSha.start(two, one, 5001, 50, 4);
        TcpSha.Transfer back = TcpSha.start(one, two, 5002, 50, 5);
        System.out.println("FIGURE " + there.awaitIntact(TRANSFER));
        System.out.println("FIGURE " + back.awaitIntact(TRANSFER));
        assertEquals(Map.of(), espDrops(one), "no ESP drop at the one-queue host");
        assertEquals(Map.of(), espDrops(two), "no ESP drop at the two-queue host");
    }
}
