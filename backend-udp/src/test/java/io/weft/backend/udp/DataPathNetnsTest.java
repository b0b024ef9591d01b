package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.core.testing.HostRequirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The real data path (TUN device, ioctls, UDP socket, both forwarding threads) in a network namespace this
 * test creates and always deletes; the TUN device lives only in a child JVM inside it. Needs root.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DataPathNetnsTest {
    private final String namespace = "weft-udp-dp-" + ProcessHandle.current().pid();
    private Process child;

    @BeforeEach
    void createNamespace() throws Exception {
        HostRequirements.require(Need.root(), Need.iproute2(), Need.tun());
        run("ip", "netns", "add", namespace);
        run("ip", "-n", namespace, "link", "set", "lo", "up");
    }

    @AfterEach
    void deleteNamespace() throws Exception {
        if (child != null && child.isAlive()) {
            child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
        if (Files.exists(Path.of("/run/netns", namespace))) {
            run("ip", "netns", "del", namespace);
        }
    }

    private static void run(String... command) throws IOException, InterruptedException {
        NetnsProbes.run(command);
    }

    @Test
    void failedSetUpClosesEachDescriptorOnce() throws Exception {
        Map<String, String> results = probe(TunSetUpFailureProbe.class, 60);
        assertEquals("true", results.get("failed"), results.toString());
        assertTrue(results.get("message").contains("SIOCSIFMTU 10"), results.get("message"));
        // The /dev/net/tun descriptor and the control socket, each closed once (closing twice could close a
        // descriptor another thread opened in between).
        assertTrue(results.get("closes").matches("\\{\\d+=1, \\d+=1}"), results.get("closes"));
        assertEquals("true", results.get("deviceGone"));
    }

    /** Runs {@code probe}'s main in a child JVM inside the namespace and returns its RESULT lines. */
    private Map<String, String> probe(Class<?> probe, long timeoutSeconds, String... args) throws Exception {
        Path output = Files.createTempFile("weft-probe", ".log");
        try {
            child = NetnsProbes.start(namespace, probe, output, args);
            return NetnsProbes.results(child, output, timeoutSeconds);
        } finally {
            Files.deleteIfExists(output);
        }
    }

    @Test
    void forwardsBothWaysWithoutAllocatingAndDropsHostileInput() throws Exception {
        Map<String, String> results = probe(DataPathProbe.class, 150, "20000", "100000");
        System.out.println(results);
        long allocated = Long.parseLong(results.get("allocatedBytes"));
        assertTrue(allocated < 1024, "forwarding threads allocated " + allocated
                + " bytes over 100,000 packets each way");
        assertEquals("63", results.get("ttlSeen"), "TTL decremented once");
        assertEquals("true", results.get("checksumOk"));
        for (String reason : List.of("UNKNOWN_PEER=1", "WRONG_PORT=1", "SHORT=1", "SPOOFED_SOURCE=1",
                "NOT_OUR_SUBNET=1", "NET_UNREACHABLE=1")) {
            assertTrue(results.get("drops").contains(reason), results.get("drops"));
        }
        assertEquals("true", results.get("up"));
        assertEquals("1", results.get("icmpSent"));
        assertEquals("true", results.get("deviceGone"));
        assertEquals("true", results.get("routeGone"));
        // Both threads wait in poll with no packets; the eventfd wakes them, no poll timeout is waited for.
        assertTrue(Long.parseLong(results.get("closeMillis")) < 1000,
                "close took " + results.get("closeMillis") + " ms");
    }
}
