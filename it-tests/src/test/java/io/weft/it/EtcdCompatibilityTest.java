package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.core.spi.store.WatchResult;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * weft and etcdctl (and so flannel) read and write the same keys and values: the config at
 * {@code /coreos.com/network/config}, leases as flannel JSON with an etcd lease TTL. Also the messages a
 * user sees when the config is missing or broken, or etcd cannot be reached.
 */
@Testcontainers
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class EtcdCompatibilityTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String DEFAULT_CONFIG_KEY = "/coreos.com/network/config";

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    private static Store defaultPrefixStore() {
        return EtcdStores.open(EtcdStores.options(null, List.of(ETCD.clientEndpoint())));
    }

    @Test
    void configWrittenByEtcdctlIsRead() {
        ETCD.etcdctl("put", DEFAULT_CONFIG_KEY, "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}");
        try (Store store = defaultPrefixStore()) {
            NetworkConfig config = NetworkConfigParser.parse(store.readNetworkConfig());
            assertEquals(Ipv4Subnet.parse("10.5.0.0/16"), config.network());
            assertEquals(24, config.subnetLen());
            assertEquals("udp", config.backend().type());
        } finally {
            ETCD.etcdctl("del", DEFAULT_CONFIG_KEY);
        }
    }

    @Test
    void missingConfigSaysWhereAndHowToCreateIt() {
        try (Store store = defaultPrefixStore()) {
            WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
            assertEquals("network config not found at /coreos.com/network/config; create it with: weft config put FILE",
                    e.getMessage());
        }
    }

    @Test
    void configThatIsNotJsonNamesTheByteOffset() {
        String prefix = EtcdStores.freshPrefix();
        ETCD.etcdctl("put", prefix + "/config", "{\"Network\":\"10.5.0.0/16\",,}");
        try (Store store = EtcdStores.open(prefix, ETCD)) {
            WeftException e = assertThrows(WeftException.class,
                    () -> NetworkConfigParser.parse(store.readNetworkConfig()));
            assertTrue(e.getMessage().startsWith("network config is not valid JSON at byte offset 25"), e.getMessage());
        }
    }

    @Test
    void leaseWrittenByWeftReadsBackThroughEtcdctlAsFlannelJsonWithA24HourTtl() throws IOException {
        String prefix = EtcdStores.freshPrefix();
        Ipv4Subnet subnet = Ipv4Subnet.parse("10.5.34.0/24");
        try (Store store = EtcdStores.open(prefix, ETCD)) {
            assertInstanceOf(CreateResult.Created.class,
                    store.createLease(subnet, LeaseAttrs.of("198.18.0.2", "udp"), Duration.ofHours(24)));
        }
        String key = prefix + "/subnets/10.5.34.0-24";

        JsonNode value = JSON.readTree(ETCD.etcdctl("get", key, "--print-value-only"));
        assertEquals("198.18.0.2", value.get("PublicIP").asText());
        assertTrue(value.has("PublicIPv6") && value.get("PublicIPv6").isNull(), value.toString());
        assertEquals("udp", value.get("BackendType").asText());
        // As flanneld writes it: BackendData (omitempty) left out when there is none.
        assertEquals("{\"PublicIP\":\"198.18.0.2\",\"PublicIPv6\":null,\"BackendType\":\"udp\"}",
                ETCD.etcdctl("get", key, "--print-value-only").strip());

        long leaseId = JSON.readTree(ETCD.etcdctl("get", key, "-w", "json")).get("kvs").get(0).get("lease").asLong();
        String ttl = ETCD.etcdctl("lease", "timetolive", Long.toHexString(leaseId));
        Matcher m = Pattern.compile("granted with TTL\\((\\d+)s\\), remaining\\((\\d+)s\\)").matcher(ttl);
        assertTrue(m.find(), ttl);
        assertEquals(86_400, Long.parseLong(m.group(1)), ttl);
        assertTrue(Long.parseLong(m.group(2)) > 86_400 - 60, ttl);
    }

    @Test
    void leasesWrittenByEtcdctlAreListedWithTheirTtlOrAsReservations() {
        String prefix = EtcdStores.freshPrefix();
        String value = "{\"PublicIP\":\"198.18.0.9\",\"BackendType\":\"udp\"}";
        // A reservation: a key with no etcd lease (flannel's v3 code cannot list these; weft can).
        ETCD.etcdctl("put", prefix + "/subnets/10.5.7.0-24", value);
        String grant = ETCD.etcdctl("lease", "grant", "600");
        Matcher id = Pattern.compile("lease ([0-9a-f]+) granted").matcher(grant);
        assertTrue(id.find(), grant);
        ETCD.etcdctl("put", "--lease=" + id.group(1), prefix + "/subnets/10.5.8.0-24",
                "{\"PublicIP\":\"198.18.0.10\",\"BackendType\":\"udp\",\"BackendData\":{\"VNI\":1}}");
        // Junk under the prefix is skipped, not fatal.
        ETCD.etcdctl("put", prefix + "/subnets/not-a-subnet", value);

        try (Store store = EtcdStores.open(prefix, ETCD)) {
            List<Lease> leases = store.listLeases(l -> true).leases();
            assertEquals(2, leases.size(), leases.toString());
            Lease reserved = leases.stream().filter(l -> l.subnet().equals(Ipv4Subnet.parse("10.5.7.0/24")))
                    .findFirst().orElseThrow();
            assertTrue(reserved.isReservation());
            assertTrue(reserved.expiration().isEmpty());
            assertEquals("198.18.0.9", reserved.attrs().publicIp());

            Lease timed = leases.stream().filter(l -> l.subnet().equals(Ipv4Subnet.parse("10.5.8.0/24")))
                    .findFirst().orElseThrow();
            long left = Duration.between(Instant.now(), timed.expiration().orElseThrow()).toSeconds();
            assertTrue(left > 540 && left <= 600, "left " + left);
            assertEquals(1, timed.attrs().backendData().get("VNI").asInt());
        }
    }

    @Test
    void leaseOverwrittenWithInvalidJsonIsWatchedAsRemoved() throws InterruptedException {
        String prefix = EtcdStores.freshPrefix();
        Ipv4Subnet subnet = Ipv4Subnet.parse("10.5.40.0/24");
        try (Store store = EtcdStores.open(prefix, ETCD)) {
            assertInstanceOf(CreateResult.Created.class,
                    store.createLease(subnet, LeaseAttrs.of("198.18.0.4", "udp"), Duration.ofHours(1)));
            long revision = store.listLeases().revision();

            ETCD.etcdctl("put", prefix + "/subnets/10.5.40.0-24", "{\"PublicIP\":");

            // A peer must drop the route of a lease it can no longer read, not keep the old one.
            WatchResult r = store.watchLeases(revision, Duration.ofSeconds(10));
            WatchResult.Changes changes = assertInstanceOf(WatchResult.Changes.class, r);
            assertEquals(List.of(new LeaseEvent.Removed(subnet)), changes.events());
        }
    }

    @Test
    void unreachableEtcdIsNamedWithTheCause() throws IOException {
        String endpoint = "http://127.0.0.1:" + closedPort();
        try (Store store = EtcdStores.open(EtcdStores.options(null, List.of(endpoint)))) {
            WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
            assertEquals("cannot reach etcd at " + endpoint + ": connection refused", e.getMessage());
        }
    }

    @Test
    void oneDeadEndpointOfSeveralIsNotFatal() throws IOException {
        String prefix = EtcdStores.freshPrefix();
        String dead = "http://127.0.0.1:" + closedPort();
        StoreOptions options = EtcdStores.options(prefix, List.of(dead, ETCD.clientEndpoint()));
        try (Store store = EtcdStores.open(options)) {
            for (int i = 0; i < 5; i++) {
                store.writeNetworkConfig("{\"Network\":\"10.5.0.0/16\"}");
                assertEquals("{\"Network\":\"10.5.0.0/16\"}", store.readNetworkConfig());
            }
        }
    }

    @Test
    void badEndpointAndHalfGivenOptionsFailWithTheFlagName() {
        WeftException url = assertThrows(WeftException.class,
                () -> EtcdStores.open(EtcdStores.options(null, List.of("etcd1:2379"))));
        assertTrue(url.getMessage().startsWith("etcd-endpoints entry \"etcd1:2379\" is not an http or https URL"),
                url.getMessage());
        WeftException cert = assertThrows(WeftException.class, () -> EtcdStores.open(new StoreOptions(null,
                List.of("https://etcd1:2379"), null, java.nio.file.Path.of("/nonexistent/client.pem"), null, null, null,
                null, null)));
        assertEquals("etcd-certfile is given without etcd-keyfile: give both (a client certificate and its key) or neither",
                cert.getMessage());
        WeftException ca = assertThrows(WeftException.class, () -> EtcdStores.open(new StoreOptions(null,
                List.of("https://etcd1:2379"), java.nio.file.Path.of("/nonexistent/ca.pem"), null, null, null, null,
                null, null)));
        assertTrue(ca.getMessage().startsWith("etcd-cafile /nonexistent/ca.pem does not exist"), ca.getMessage());
    }

    private static int closedPort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }
}
