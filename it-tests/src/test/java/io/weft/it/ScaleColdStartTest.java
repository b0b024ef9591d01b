package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.model.Lease;
import io.weft.it.scale.ScaleCluster;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * A cold start of 500 hosts on one real etcd: all start at once, each a real lease keeper and watcher. They must
 * end with 500 distinct leases, every watcher must know the other 499 hosts over the one watch stream it opened,
 * and the random choice plus create-if-absent must converge without a retry storm. The watchers start once every
 * host holds its lease (see {@link ScaleCluster}). {@code scripts/bench-scale} runs the same cluster at 5,000 and
 * prints the figures.
 */
@Testcontainers
class ScaleColdStartTest {
    private static final Logger LOG = LoggerFactory.getLogger(ScaleColdStartTest.class);
    private static final int HOSTS = 500;
    private static final int CLIENTS = 8;

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    @Test
    @Timeout(value = 240, unit = TimeUnit.SECONDS)
    void fiveHundredHostsStartingAtOnceHoldDistinctLeasesAndEveryWatcherKnowsEveryPeer() throws Exception {
        try (ScaleCluster cluster = new ScaleCluster(ETCD.clientEndpoint(), EtcdStores.freshPrefix(), HOSTS, CLIENTS)) {
            cluster.start();
            Duration allLeased = cluster.awaitLeases(Duration.ofSeconds(120));
            cluster.startWatchers();

            assertEquals(0, cluster.duplicateSubnets(), "subnets held by two hosts");
            List<Lease> stored = cluster.storedLeases();
            assertEquals(HOSTS, stored.size(), "leases in etcd");
            assertEquals(HOSTS, stored.stream().map(l -> l.attrs().publicIp()).collect(Collectors.toSet()).size(),
                    "distinct hosts holding them");
            assertEquals(HOSTS, stored.stream().map(Lease::subnet).collect(Collectors.toSet()).size(),
                    "distinct subnets in etcd");

            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200))
                    .until(() -> cluster.convergedWatchers() == HOSTS);
            assertEquals(0, cluster.restarts(), "hosts whose first acquisition failed");
            assertEquals(0, cluster.watchRecoveries(), "watch failures");
            assertEquals(HOSTS, cluster.watchOpens(), "one watch stream per watcher, never reopened");
            // 500 random picks among 16,383 subnets collide about 8 times; a retry storm would be hundreds.
            assertTrue(cluster.lostRaces() < HOSTS / 10, "lost races: " + cluster.lostRaces());

            Duration propagated = cluster.propagate(0, Duration.ofSeconds(30));
            LOG.info("cold start hosts={} clients={} allocate_ms={} lost_races={} peer_batches={} propagate_ms={}",
                    HOSTS, CLIENTS, allLeased.toMillis(), cluster.lostRaces(), cluster.peerBatches(),
                    propagated.toMillis());
        }
    }
}
