package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.linux.testing.NetnsExtension;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The real data path (TUN device, ioctls, UDP socket, both forwarding threads) in a network namespace this
 * test creates and always deletes; the TUN device lives only in a child JVM inside it. Needs root.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class DataPathNetnsTest {
    @RegisterExtension
    final NetnsExtension namespace = new NetnsExtension("weft-udp-dp", Need.root(), Need.iproute2(), Need.tun());

    @Test
    void failedSetUpClosesEachDescriptorOnce() throws Exception {
        Map<String, String> results = namespace.get().probe(TunSetUpFailureProbe.class, 60);
        assertEquals("true", results.get("failed"), results.toString());
        assertTrue(results.get("message").contains("SIOCSIFMTU 10"), results.get("message"));
        // The /dev/net/tun descriptor and the control socket, each closed once (closing twice could close a
        // descriptor another thread opened in between).
        assertTrue(results.get("closes").matches("\\{\\d+=1, \\d+=1}"), results.get("closes"));
        assertEquals("true", results.get("deviceGone"));
    }

    @Test
    void forwardsBothWaysWithoutAllocatingAndDropsHostileInput() throws Exception {
        Map<String, String> results = namespace.get().probe(DataPathProbe.class, 150, "20000", "100000");
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
