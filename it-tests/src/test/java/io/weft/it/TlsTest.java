package io.weft.it;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.WeftException;
import io.weft.core.daemon.Daemon;
import io.weft.core.lease.LeaseTimings;
import io.weft.core.spi.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * etcd with TLS and client-certificate auth, certificates made by the test: the daemon connects with
 * --etcd-cafile/--etcd-certfile/--etcd-keyfile, and a wrong CA or a missing client certificate fails
 * with a message that says it is TLS and which files to check.
 */
@Testcontainers
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class TlsTest {
    private static final TestPki PKI = new TestPki("weft-it-ca");
    private static final TestPki.Issued SERVER = PKI.server("etcd0");
    private static final TestPki.Issued CLIENT = PKI.client("weft");

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single().withTls(new EtcdContainer.TlsFiles(PKI.caPem(),
            SERVER.certPem(), SERVER.keyPem(), CLIENT.certPem(), CLIENT.keyPem()));

    @TempDir
    Path dir;

    private Path write(String name, String content) throws IOException {
        return Files.writeString(dir.resolve(name), content);
    }

    @Test
    void daemonConnectsWithClientCertificates() throws IOException {
        String prefix = EtcdStores.freshPrefix();
        ETCD.etcdctl("put", prefix + "/config", "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        Path ca = write("ca.pem", PKI.caPem());
        Path cert = write("client.pem", CLIENT.certPem());
        Path key = write("client-key.pem", CLIENT.keyPem());
        assertTrue(ETCD.clientEndpoint().startsWith("https://"), ETCD.clientEndpoint());

        Daemon daemon = Daemons.start(EtcdStores.tlsOptions(prefix, List.of(ETCD.clientEndpoint()), ca, cert, key),
                "198.18.0.60", dir.resolve("subnet.env"), LeaseTimings.DEFAULT);
        try {
            String value = ETCD.etcdctl("get", prefix + "/subnets/" + daemon.lease().subnet().toKey(),
                    "--print-value-only");
            assertEquals("198.18.0.60", new ObjectMapper().readTree(value).get("PublicIP").asText());
            assertEquals(daemon.lease().subnet(), OwnLeaseDeletedTest.subnetIn(dir.resolve("subnet.env")));
        } finally {
            daemon.close();
        }
    }

    /**
     * The etcd client's threads over TLS, on the one Netty line the build picks: each named weft-etcd-*, one
     * event loop, none of Vert.x's or jetcd's default names, and all gone once the store is closed.
     */
    @Test
    void theEtcdClientRunsOnThreadsNamedForEtcdThatEndWithTheStore() throws IOException {
        Path ca = write("ca.pem", PKI.caPem());
        Path cert = write("client.pem", CLIENT.certPem());
        Path key = write("client-key.pem", CLIENT.keyPem());
        String prefix = EtcdStores.freshPrefix();
        ETCD.etcdctl("put", prefix + "/config", "{\"Network\":\"10.5.0.0/16\"}");
        try (Store store = EtcdStores.open(EtcdStores.tlsOptions(prefix, List.of(ETCD.clientEndpoint()), ca, cert,
                key))) {
            assertTrue(store.readNetworkConfig().contains("10.5.0.0/16"), "the config read over TLS");
            assertEquals(List.of(), threads("vert.x-", "jetcd-"), "threads under their library's default names");
            assertEquals(List.of("weft-etcd-io-0"), threads("weft-etcd-io"), "event loops");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> threads("weft-etcd-").isEmpty());
    }

    private static List<String> threads(String... prefixes) {
        return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
                .filter(n -> Arrays.stream(prefixes).anyMatch(n::startsWith)).sorted().toList();
    }

    @Test
    void wrongCaFailsWithAClearMessage() throws IOException {
        TestPki other = new TestPki("some-other-ca");
        Path wrongCa = write("wrong-ca.pem", other.caPem());
        Path cert = write("client.pem", CLIENT.certPem());
        Path key = write("client-key.pem", CLIENT.keyPem());
        try (Store store = EtcdStores.open(EtcdStores.tlsOptions(null, List.of(ETCD.clientEndpoint()), wrongCa, cert,
                key))) {
            WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
            assertTrue(e.getMessage().startsWith("cannot reach etcd at " + ETCD.clientEndpoint() + ": TLS handshake failed: "),
                    e.getMessage());
            assertTrue(e.getMessage().contains("check that etcd-cafile signed etcd's server certificate"), e.getMessage());
        }
    }

    @Test
    void missingClientCertificateIsRefusedWithATlsMessage() throws IOException {
        Path ca = write("ca.pem", PKI.caPem());
        try (Store store = EtcdStores.open(EtcdStores.tlsOptions(null, List.of(ETCD.clientEndpoint()), ca, null,
                null))) {
            WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
            assertTrue(e.getMessage().startsWith("cannot reach etcd at " + ETCD.clientEndpoint() + ": "), e.getMessage());
            assertTrue(e.getMessage().contains("TLS") || e.getMessage().contains("certificate"), e.getMessage());
        }
    }

    @Test
    void plainHttpToATlsMemberFails() {
        String plain = ETCD.clientEndpoint().replace("https://", "http://");
        try (Store store = EtcdStores.open(EtcdStores.options(null, List.of(plain)))) {
            WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
            assertTrue(e.getMessage().startsWith("cannot reach etcd at " + plain + ": "), e.getMessage());
        }
    }

    @Test
    void keyThatIsNotPemIsNamed() throws IOException {
        Path ca = write("ca.pem", PKI.caPem());
        Path cert = write("client.pem", CLIENT.certPem());
        Path key = write("client-key.pem", "not a key\n");
        WeftException e = assertThrows(WeftException.class, () -> EtcdStores.open(
                EtcdStores.tlsOptions(null, List.of(ETCD.clientEndpoint()), ca, cert, key)));
        assertTrue(e.getMessage().startsWith("TLS files cannot be used (etcd-cafile " + ca), e.getMessage());
        assertTrue(e.getMessage().contains("PKCS#8"), e.getMessage());
    }
}
