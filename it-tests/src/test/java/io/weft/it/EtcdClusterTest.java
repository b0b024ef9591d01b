package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.daemon.Daemon;
import io.weft.core.lease.LeaseTimings;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.containers.Network;
import org.testcontainers.lifecycle.Startables;

/**
 * A daemon on a three-member etcd cluster while members fail: the leader stops in the middle of renewals,
 * or two members freeze (no quorum) for longer than the client's request timeout. The daemon keeps its
 * lease, and its renewals, watch and allocator recover without a restart.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EtcdClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PUBLIC_IP = "198.18.0.70";
    /** Short enough that renewals run every few seconds, so a failure lands mid-renewal. */
    private static final LeaseTimings TIMINGS = new LeaseTimings(Duration.ofSeconds(20), Duration.ofSeconds(16),
            Duration.ofSeconds(1));

    @TempDir
    Path dir;

    private Network network;
    private List<EtcdContainer> members;
    private final List<EtcdContainer> paused = new ArrayList<>();
    private String prefix;
    private Daemon daemon;
    private RecordingBackendProvider recording;
    private Store probe;

    @BeforeEach
    void startClusterAndDaemon() throws InterruptedException, ExecutionException, TimeoutException {
        network = Network.newNetwork();
        members = EtcdContainer.cluster(network, 3);
        Startables.deepStart(members).get(90, TimeUnit.SECONDS);
        prefix = EtcdStores.freshPrefix();
        members.get(0).etcdctl("put", prefix + "/config",
                // The daemon allocates below 10.5.250.0/24: the tests' other hosts take 250 and up.
                "{\"Network\":\"10.5.0.0/16\",\"SubnetMax\":\"10.5.249.0\",\"Backend\":{\"Type\":\""
                        + RecordingBackendProvider.NAME + "\"}}");
        recording = new RecordingBackendProvider();
        daemon = Daemons.start(allMembers(), PUBLIC_IP, dir.resolve("subnet.env"), TIMINGS, recording);
        probe = EtcdStores.open(allMembers());
    }

    @AfterEach
    void stopAll() {
        if (daemon != null) {
            daemon.close();
        }
        if (probe != null) {
            probe.close();
        }
        for (EtcdContainer m : paused) {
            m.unpause();
        }
        if (members != null) {
            members.forEach(EtcdContainer::stop);
        }
        if (network != null) {
            network.close();
        }
    }

    private StoreOptions allMembers() {
        return EtcdStores.options(prefix, members.stream().map(EtcdContainer::clientEndpoint).toList());
    }

    @Test
    void leaderStoppedMidRenewalKeepsTheLeaseAndTheWatchResumes() throws IOException, InterruptedException {
        Ipv4Subnet own = daemon.lease().subnet();
        Ipv4Subnet before = Ipv4Subnet.parse("10.5.250.0/24");
        created(probe.createLease(before, LeaseAttrs.of("198.18.0.71", "udp"), Duration.ofHours(1)));
        await().atMost(Duration.ofSeconds(20)).until(() -> recording.peers().containsKey(before));
        // Let at least one renewal happen first, so renewals are under way when the leader goes.
        Instant started = daemon.lease().expiration().orElseThrow();
        await().atMost(Duration.ofSeconds(20)).until(() -> daemon.lease().expiration().orElseThrow().isAfter(started));

        EtcdContainer leader = leader();
        Instant stoppedAt = Instant.now();
        leader.stop();
        members = members.stream().filter(m -> m != leader).toList();

        // Renewal works again on the new leader, for the same subnet.
        await().atMost(Duration.ofSeconds(45))
                .until(() -> daemon.lease().expiration().orElseThrow().isAfter(stoppedAt.plus(TIMINGS.ttl())));
        assertEquals(own, daemon.lease().subnet());
        assertEquals(PUBLIC_IP, holderOf(own));

        // The watch carries on: a host that joins now is seen.
        Ipv4Subnet after = Ipv4Subnet.parse("10.5.251.0/24");
        created(probe.createLease(after, LeaseAttrs.of("198.18.0.72", "udp"), Duration.ofHours(1)));
        await().atMost(Duration.ofSeconds(45)).until(() -> recording.peers().containsKey(after));
        assertTrue(recording.peers().containsKey(before), recording.peers().toString());
        assertTrue(daemon.awaitStop(10, TimeUnit.MILLISECONDS).isEmpty(), "no daemon loop failed");
    }

    @Test
    void quorumLossLongerThanTheClientTimeoutIsSurvivedWithoutARestart() throws IOException, InterruptedException {
        Ipv4Subnet own = daemon.lease().subnet();

        members.get(0).pause();
        paused.add(members.get(0));
        members.get(1).pause();
        paused.add(members.get(1));
        Instant pausedAt = Instant.now();
        // No quorum: requests fail once the client's request timeout has passed. Stay so a while longer.
        Duration outage = EtcdStores.REQUEST_TIMEOUT.plusSeconds(3);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                .until(() -> EtcdStores.cannotReach(probe) && Instant.now().isAfter(pausedAt.plus(outage)));

        members.get(0).unpause();
        members.get(1).unpause();
        paused.clear();
        Instant unpausedAt = Instant.now();

        // Renewal recovers, same subnet.
        await().atMost(Duration.ofSeconds(45))
                .until(() -> daemon.lease().expiration().orElseThrow().isAfter(unpausedAt.plus(TIMINGS.ttl()).minusSeconds(1)));
        assertEquals(own, daemon.lease().subnet());

        // The watcher recovers: a host that joins now is seen.
        Ipv4Subnet joined = Ipv4Subnet.parse("10.5.252.0/24");
        created(probe.createLease(joined, LeaseAttrs.of("198.18.0.73", "udp"), Duration.ofHours(1)));
        await().atMost(Duration.ofSeconds(60)).until(() -> recording.peers().containsKey(joined));

        // The allocator recovers: an admin deletes the lease, and the daemon takes it back.
        members.get(2).etcdctl("del", prefix + "/subnets/" + own.toKey());
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> PUBLIC_IP.equals(holderOf(own)));
        assertEquals(own, daemon.lease().subnet());
        assertTrue(daemon.awaitStop(10, TimeUnit.MILLISECONDS).isEmpty(), "no daemon loop failed");
    }

    private EtcdContainer leader() throws IOException {
        for (EtcdContainer m : members) {
            JsonNode status = JSON.readTree(m.etcdctl("endpoint", "status", "-w", "json")).get(0).get("Status");
            if (status.get("header").get("member_id").asText().equals(status.get("leader").asText())) {
                return m;
            }
        }
        throw new AssertionError("no member says it is the leader");
    }

    private String holderOf(Ipv4Subnet subnet) throws IOException {
        String value = members.get(members.size() - 1).etcdctl("get", prefix + "/subnets/" + subnet.toKey(),
                "--print-value-only");
        return value.isBlank() ? null : JSON.readTree(value).get("PublicIP").asText();
    }


    private static void created(CreateResult r) {
        assertInstanceOf(CreateResult.Created.class, r);
    }
}
