package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code weft leases reserve SUBNET IP --evict} against live udp hosts in the netns lab: the host that held
 * the subnet moves to another one and stays reachable, and neither its renewals nor its preferred-subnet
 * logic take the reservation back. Every packet stays inside the lab's namespaces.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class LeaseEvictionTest {
    private static final String CONFIG = Lab.networkConfig("{\"Type\":\"udp\"}");
    private static final String RESERVED_FOR = "198.18.0.99";

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    @Test
    void anEvictedLiveHostMovesStaysReachableAndTheReservationStands() throws Exception {
        Lab lab = extension.lab();
        lab.startEtcd(CONFIG);
        List<LabHost> hosts = lab.startHosts(1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));
        String old = h1.subnet();
        String key = h1.leaseKey();

        Command.Result reserve = h2.weft("leases", "reserve", "--etcd-endpoints", lab.etcdEndpoint(), old,
                RESERVED_FOR, "--evict").orFail();
        assertEquals("reserved " + old + " for " + RESERVED_FOR + ", evicting the lease of " + h1.address(),
                reserve.output().strip());

        Awaitility.await("h1 moves to another subnet").atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100)).until(() -> !h1.subnet().equals(old));
        String moved = h1.overlayAddress();
        assertNotEquals(old, h1.subnet());
        h2.awaitPing(moved, Duration.ofSeconds(20));
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));

        JsonNode reserved = keyValue(lab, key);
        assertEquals(RESERVED_FOR, reserved.get("value").get("PublicIP").asText());
        assertFalse(reserved.has("lease"), "a reservation has no etcd lease: " + reserved);
        long revision = reserved.get("mod_revision").asLong();
        // h1 restarts with no lease of its own and the reserved subnet in its subnet.env, the one it prefers:
        // it must take another.
        assertEquals(0, h1.stopDaemon());
        lab.etcdctl("del", h1.leaseKey()).orFail();
        java.nio.file.Files.writeString(h1.subnetFile(), "FLANNEL_NETWORK=" + Lab.OVERLAY + "\nFLANNEL_SUBNET="
                + old.replace(".0/24", ".1/24") + "\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=false\n");
        h1.startDaemon();
        Awaitility.await("h1 takes a subnet").atMost(Lab.STARTUP).pollInterval(Duration.ofMillis(100))
                .until(() -> h1.subnetEnv().containsKey("FLANNEL_MTU") && !h1.subnet().equals(old)
                        || !h1.daemon().orElseThrow().isAlive());
        assertNotEquals(old, h1.subnet());
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));
        assertEquals(revision, keyValue(lab, key).get("mod_revision").asLong(),
                "the reservation was never written over");
        assertTrue(h1.daemon().orElseThrow().isAlive());
    }

    /** The key as etcdctl shows it in JSON, with the value decoded. */
    private static JsonNode keyValue(Lab lab, String key) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode kv = json.readTree(lab.etcdctl("get", key, "-w", "json").orFail().output()).get("kvs").get(0);
        com.fasterxml.jackson.databind.node.ObjectNode out = kv.deepCopy();
        out.set("value", json.readTree(Base64.getDecoder().decode(kv.get("value").asText())));
        return out;
    }
}
