package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.core.testing.HostRequirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The offload path between two real hosts: two network namespaces this test makes, joined by a veth pair
 * on 198.18.0.0/24, each running {@link OffloadProbe} (the udp data path with TUN TSO, UDP GSO and GRO, and
 * TCP coalescing) in a child JVM. A TCP stream crosses the overlay intact, and after warm-up the forwarding
 * threads on both sides allocate nothing while it passes. Every packet stays inside the two namespaces.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OffloadNetnsTest {
    private final String a = "weft-off-a-" + ProcessHandle.current().pid();
    private final String b = "weft-off-b-" + ProcessHandle.current().pid();
    private final List<Process> children = new ArrayList<>();

    @BeforeEach
    void createHosts() throws Exception {
        HostRequirements.require(Need.root(), Need.iproute2(), Need.tun());
        run("ip", "netns", "add", a);
        run("ip", "netns", "add", b);
        run("ip", "-n", a, "link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", b);
        run("ip", "-n", a, "addr", "add", "198.18.0.1/24", "dev", "veth0");
        run("ip", "-n", b, "addr", "add", "198.18.0.2/24", "dev", "veth0");
        for (String ns : List.of(a, b)) {
            run("ip", "-n", ns, "link", "set", "lo", "up");
            run("ip", "-n", ns, "link", "set", "veth0", "up");
        }
    }

    @AfterEach
    void deleteHosts() throws Exception {
        for (Process p : children) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        for (String ns : List.of(a, b)) {
            if (Files.exists(Path.of("/run/netns", ns))) {
                run("ip", "netns", "del", ns);
            }
        }
    }

    @Test
    void aTcpStreamCrossesIntactWithSegmentationAndCoalescingAndNoAllocation() throws Exception {
        String warmup = Long.toString(64L << 20);
        String measured = Long.toString(256L << 20);
        Path receiverLog = Files.createTempFile("weft-offload-rx", ".log");
        Path senderLog = Files.createTempFile("weft-offload-tx", ".log");
        try {
            Process receiver = start(b, receiverLog, "receive", "100.96.2.0/24", "100.96.1.0/24", "198.18.0.2",
                    "198.18.0.1", warmup, measured);
            Process sender = start(a, senderLog, "send", "100.96.1.0/24", "100.96.2.0/24", "198.18.0.1",
                    "198.18.0.2", warmup, measured);
            Map<String, String> tx = results(sender, senderLog);
            Map<String, String> rx = results(receiver, receiverLog);

            for (Map<String, String> side : List.of(tx, rx)) {
                assertTrue(side.get("offloads").contains("tso4") && side.get("offloads").contains("udp-gso")
                        && side.get("offloads").contains("udp-gro"), "offloads on: " + side);
            }
            assertEquals(tx.get("sha256"), rx.get("sha256"), "the stream arrived intact");
            long sent = Long.parseLong(tx.get("allocatedBytes"));
            long received = Long.parseLong(rx.get("allocatedBytes"));
            assertTrue(sent < 1024 && received < 1024, "forwarding threads allocated " + sent + " bytes sending and "
                    + received + " bytes receiving 256 MB of full-size TCP segments");
            // The kernel may hand the new device an IPv6 packet before IPv6 is off on it (tun-not-ipv4); nothing
            // that came over the underlay may be dropped.
            for (String reason : List.of("UNKNOWN_PEER", "SHORT", "BAD_", "NOT_OUR_SUBNET", "TUN_WRITE_FAILED",
                    "SEND_FAILED", "RECEIVE_FAILED")) {
                assertTrue(!tx.get("drops").contains(reason) && !rx.get("drops").contains(reason),
                        "no " + reason + " drops: " + tx.get("drops") + " " + rx.get("drops"));
            }
            System.out.println("sender " + tx + "\nreceiver " + rx);
        } finally {
            Files.deleteIfExists(receiverLog);
            Files.deleteIfExists(senderLog);
        }
    }

    private Process start(String namespace, Path log, String... args) throws IOException {
        Process p = NetnsProbes.start(namespace, OffloadProbe.class, log, args);
        children.add(p);
        return p;
    }

    private static Map<String, String> results(Process p, Path log) throws Exception {
        return NetnsProbes.results(p, log, 150);
    }

    private static void run(String... command) throws IOException, InterruptedException {
        NetnsProbes.run(command);
    }
}
