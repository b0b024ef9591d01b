package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.linux.testing.Netns;
import io.weft.linux.testing.NetnsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The offload path between two real hosts: two network namespaces this test makes, joined by a veth pair
 * on 198.18.0.0/24, each running {@link OffloadProbe} (the udp data path with TUN TSO, UDP GSO and GRO, and
 * TCP coalescing) in a child JVM. A TCP stream crosses the overlay intact, and after warm-up the forwarding
 * threads on both sides allocate nothing while it passes. Every packet stays inside the two namespaces.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OffloadNetnsTest {
    @RegisterExtension
    final NetnsExtension hostA = new NetnsExtension("weft-off-a", Need.root(), Need.iproute2(), Need.tun());
    @RegisterExtension
    final NetnsExtension hostB = new NetnsExtension("weft-off-b", Need.root(), Need.iproute2(), Need.tun());

    @BeforeEach
    void joinHosts() throws Exception {
        Netns a = hostA.get();
        Netns b = hostB.get();
        a.ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth0", "netns", b.name());
        a.ip("addr", "add", "198.18.0.1/24", "dev", "veth0");
        b.ip("addr", "add", "198.18.0.2/24", "dev", "veth0");
        a.ip("link", "set", "veth0", "up");
        b.ip("link", "set", "veth0", "up");
    }

    @Test
    void aTcpStreamCrossesIntactWithSegmentationAndCoalescingAndNoAllocation() throws Exception {
        String warmup = Long.toString(64L << 20);
        String measured = Long.toString(256L << 20);
        Path receiverLog = Files.createTempFile("weft-offload-rx", ".log");
        Path senderLog = Files.createTempFile("weft-offload-tx", ".log");
        try {
            Process receiver = hostB.get().start(OffloadProbe.class, receiverLog, "receive", "100.96.2.0/24",
                    "100.96.1.0/24", "198.18.0.2", "198.18.0.1", warmup, measured);
            Process sender = hostA.get().start(OffloadProbe.class, senderLog, "send", "100.96.1.0/24",
                    "100.96.2.0/24", "198.18.0.1", "198.18.0.2", warmup, measured);
            Map<String, String> tx = Netns.results(sender, senderLog, 150);
            Map<String, String> rx = Netns.results(receiver, receiverLog, 150);

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
}
