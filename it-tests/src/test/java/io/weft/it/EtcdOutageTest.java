package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.daemon.Daemon;
import io.weft.core.lease.LeaseTimings;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.spi.store.Store;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * etcd goes away for longer than the lease TTL: the daemon keeps running, and when etcd returns it holds
 * a lease again, on its old subnet, and subnet.env still names that subnet.
 */
@Testcontainers
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class EtcdOutageTest {
    private static final String PUBLIC_IP = "198.18.0.80";
    private static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofSeconds(6), Duration.ofSeconds(3),
            Duration.ofSeconds(1));

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    @TempDir
    Path dir;

    @Test
    void outageLongerThanTheTtlEndsWithTheOldSubnetReacquired() throws IOException, InterruptedException {
        String prefix = EtcdStores.freshPrefix();
        ETCD.etcdctl("put", prefix + "/config", "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        Path subnetFile = dir.resolve("subnet.env");
        Daemon daemon = Daemons.start(EtcdStores.options(prefix, List.of(ETCD.clientEndpoint())), PUBLIC_IP, subnetFile,
                TIMINGS);
        boolean paused = false;
        try (Store probe = EtcdStores.open(prefix, ETCD)) {
            Ipv4Subnet own = daemon.lease().subnet();
            Instant expiresBefore = daemon.lease().expiration().orElseThrow();

            ETCD.pause();
            paused = true;
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .until(() -> EtcdStores.cannotReach(probe) && Instant.now().isAfter(expiresBefore.plusSeconds(2)));
            ETCD.unpause();
            paused = false;
            Instant back = Instant.now();

            await().atMost(Duration.ofSeconds(45)).until(() -> daemon.lease().expiration().orElseThrow().isAfter(back));
            assertEquals(own, daemon.lease().subnet());
            await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> PUBLIC_IP.equals(holderOf(prefix, own)));
            assertEquals(own, OwnLeaseDeletedTest.subnetIn(subnetFile));
            assertTrue(daemon.awaitStop(10, TimeUnit.MILLISECONDS).isEmpty(), "no daemon loop failed");
        } finally {
            if (paused) {
                ETCD.unpause();
            }
            daemon.close();
        }
    }

    private static String holderOf(String prefix, Ipv4Subnet subnet) throws IOException {
        String value = ETCD.etcdctl("get", prefix + "/subnets/" + subnet.toKey(), "--print-value-only");
        return value.isBlank() ? null : new ObjectMapper().readTree(value).get("PublicIP").asText();
    }
}
