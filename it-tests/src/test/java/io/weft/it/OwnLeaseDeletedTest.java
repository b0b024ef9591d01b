package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.daemon.Daemon;
import io.weft.core.lease.LeaseTimings;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * An admin deletes (or hands away) this host's lease with etcdctl while the daemon runs: the daemon sees
 * it through its watch, takes a lease again at once (the same subnet while it is free) and rewrites
 * subnet.env. flannel exits here; weft carries on.
 */
@Testcontainers
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OwnLeaseDeletedTest {
    private static final String PUBLIC_IP = "198.18.0.50";
    /** Watch latency: one watch round trip plus the keeper's wake-up, with room for a slow CI machine. */
    private static final Duration WATCH_LATENCY = Duration.ofSeconds(10);

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    @TempDir
    Path dir;

    private String prefix;
    private Path subnetFile;
    private Daemon daemon;

    @BeforeEach
    void startDaemon() {
        prefix = EtcdStores.freshPrefix();
        ETCD.etcdctl("put", prefix + "/config", "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        subnetFile = dir.resolve("run/flannel/subnet.env");
        daemon = Daemons.start(EtcdStores.options(prefix, List.of(ETCD.clientEndpoint())), PUBLIC_IP, subnetFile,
                new LeaseTimings(Duration.ofHours(24), Duration.ofMinutes(60), Duration.ofSeconds(1)));
    }

    @AfterEach
    void stopDaemon() {
        if (daemon != null) {
            daemon.close();
        }
    }

    @Test
    void deletedLeaseIsReacquiredWithTheSameSubnetAndSubnetEnvIsRewritten() throws IOException, InterruptedException {
        Ipv4Subnet subnet = daemon.lease().subnet();
        assertEquals(subnet, subnetIn(subnetFile));
        String key = prefix + "/subnets/" + subnet.toKey();
        Files.delete(subnetFile);

        ETCD.etcdctl("del", key);

        await().atMost(WATCH_LATENCY).until(() -> Files.exists(subnetFile));
        assertEquals(subnet, subnetIn(subnetFile));
        assertEquals(subnet, daemon.lease().subnet());
        String value = ETCD.etcdctl("get", key, "--print-value-only");
        assertEquals(PUBLIC_IP, new ObjectMapper().readTree(value).get("PublicIP").asText());
        assertTrue(daemon.awaitStop(10, TimeUnit.MILLISECONDS).isEmpty(), "no daemon loop failed");
    }

    @Test
    void leaseHandedToAnotherHostMakesTheDaemonMoveToAFreeSubnet() throws IOException {
        Ipv4Subnet subnet = daemon.lease().subnet();
        String key = prefix + "/subnets/" + subnet.toKey();
        Files.delete(subnetFile);

        ETCD.etcdctl("put", key, "{\"PublicIP\":\"198.18.0.99\",\"BackendType\":\"alloc\"}");

        await().atMost(WATCH_LATENCY).until(() -> Files.exists(subnetFile));
        Ipv4Subnet moved = subnetIn(subnetFile);
        assertNotEquals(subnet, moved);
        assertEquals(moved, daemon.lease().subnet());
        String value = ETCD.etcdctl("get", prefix + "/subnets/" + moved.toKey(), "--print-value-only");
        assertEquals(PUBLIC_IP, new ObjectMapper().readTree(value).get("PublicIP").asText());
        String other = ETCD.etcdctl("get", key, "--print-value-only");
        assertEquals("198.18.0.99", new ObjectMapper().readTree(other).get("PublicIP").asText(),
                "the daemon leaves the other host's lease alone");
        await("the new holder of the old subnet is a peer").atMost(WATCH_LATENCY)
                .until(() -> daemon.peers().containsKey(subnet)
                        && daemon.peers().get(subnet).attrs().publicIp().equals("198.18.0.99"));
    }

    /** The subnet named by FLANNEL_SUBNET (the gateway address, .1) in a subnet.env file. */
    static Ipv4Subnet subnetIn(Path file) throws IOException {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
            if (line.startsWith("FLANNEL_SUBNET=")) {
                String[] cidr = line.substring("FLANNEL_SUBNET=".length()).split("/");
                int len = Integer.parseInt(cidr[1]);
                return Ipv4Subnet.containing(Ipv4.parse("FLANNEL_SUBNET", cidr[0]), len);
            }
        }
        throw new AssertionError("no FLANNEL_SUBNET in " + file + ": " + Files.readString(file));
    }
}
