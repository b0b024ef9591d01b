package io.weft.store.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.etcd.jetcd.common.exception.ErrorCode;
import io.etcd.jetcd.common.exception.EtcdExceptionFactory;
import io.grpc.Status;
import io.weft.core.WeftException;
import io.weft.core.spi.store.StoreOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Option checks and error messages of the etcd connection; no etcd needed (nothing dials). */
class EtcdConnectionTest {
    private static final String EP = "http://198.18.0.100:2379";

    @TempDir
    Path dir;

    private static StoreOptions options(List<String> endpoints, Path ca, Path cert, Path key, String user, String pass) {
        return new StoreOptions(null, endpoints, ca, cert, key, user, pass, null, Duration.ofSeconds(5));
    }

    static Stream<Arguments> failures() {
        return Stream.of(
                Arguments.of(new ConnectException("Connection refused: /198.18.0.100:2379"),
                        "cannot reach etcd at " + EP + ": connection refused"),
                Arguments.of(EtcdExceptionFactory.toEtcdException(Status.UNAVAILABLE.withDescription("io exception")
                        .withCause(new ConnectException("Connection refused")).asRuntimeException()),
                        "cannot reach etcd at " + EP + ": connection refused"),
                Arguments.of(new TimeoutException(),
                        "cannot reach etcd at " + EP + ": no answer within 5s to list leases (is a quorum of members up?)"),
                Arguments.of(EtcdExceptionFactory.newEtcdException(ErrorCode.UNAVAILABLE, "etcdserver: no leader"),
                        "cannot reach etcd at " + EP + ": etcdserver: no leader"),
                Arguments.of(EtcdExceptionFactory.newEtcdException(ErrorCode.INVALID_ARGUMENT,
                        "etcdserver: authentication failed, invalid user ID or password"),
                        "etcd at " + EP + " rejected user \"weft\": etcdserver: authentication failed, invalid user ID or "
                                + "password; check etcd-username and etcd-password"),
                Arguments.of(EtcdExceptionFactory.newEtcdException(ErrorCode.PERMISSION_DENIED,
                        "etcdserver: permission denied"),
                        "etcd at " + EP + " denied the request to list leases for user \"weft\": etcdserver: permission "
                                + "denied; grant the user's role read-write access to the weft prefix"),
                Arguments.of(EtcdExceptionFactory.newEtcdException(ErrorCode.OUT_OF_RANGE,
                        "etcdserver: mvcc: required revision has been compacted"),
                        "etcd at " + EP + " failed to list leases: etcdserver: mvcc: required revision has been compacted"));
    }

    @ParameterizedTest
    @MethodSource("failures")
    void failuresNameTheEndpointAndTheCause(Throwable cause, String message) {
        try (EtcdConnection c = EtcdConnection.open(options(List.of(EP), null, null, null, "weft", "secret"))) {
            assertEquals(message, c.failure("list leases", cause).getMessage());
        }
    }

    @Test
    void tlsHandshakeFailureSaysWhichFilesToCheck() {
        try (EtcdConnection c = EtcdConnection.open(options(List.of(EP), null, null, null, null, null))) {
            WeftException e = c.failure("list leases", new RuntimeException("wrapped",
                    new SSLHandshakeException("PKIX path building failed")));
            assertEquals("cannot reach etcd at " + EP + ": TLS handshake failed: PKIX path building failed; check that "
                    + "etcd-cafile signed etcd's server certificate, that the endpoint host is in that certificate, and "
                    + "etcd-certfile/etcd-keyfile", e.getMessage());
        }
    }

    @Test
    void aRequestThatNeverAnswersTimesOut() {
        StoreOptions o = new StoreOptions(null, List.of(EP), null, null, null, null, null, null, Duration.ofMillis(50));
        try (EtcdConnection c = EtcdConnection.open(o)) {
            WeftException e = assertThrows(WeftException.class,
                    () -> c.call("read the network config", CompletableFuture::new));
            assertEquals("cannot reach etcd at " + EP + ": no answer within 50ms to read the network config "
                    + "(is a quorum of members up?)", e.getMessage());
        }
    }

    static Stream<Arguments> badOptions() {
        return Stream.of(
                Arguments.of(List.of("etcd1:2379"), false, false, false, null, null,
                        "etcd-endpoints entry \"etcd1:2379\" is not an http or https URL: write it as http://HOST:2379 "
                                + "or https://HOST:2379"),
                Arguments.of(List.of("http://a:2379", "https://b:2379"), false, false, false, null, null,
                        "etcd-endpoints http://a:2379,https://b:2379 mix http and https: use https for every member, or "
                                + "http for every member"),
                Arguments.of(List.of("https://a:2379"), false, true, false, null, null,
                        "etcd-certfile is given without etcd-keyfile: give both (a client certificate and its key) or "
                                + "neither"),
                Arguments.of(List.of("http://a:2379"), true, false, false, null, null,
                        "etcd-cafile/etcd-certfile are given but etcd-endpoints use http: write the endpoints as "
                                + "https://HOST:2379"),
                Arguments.of(List.of("http://a:2379"), false, false, false, "weft", null,
                        "etcd-username is given without etcd-password: give both or neither"));
    }

    @ParameterizedTest
    @MethodSource("badOptions")
    void badOptionsNameTheFlag(List<String> endpoints, boolean ca, boolean cert, boolean key, String user, String pass,
            String message) throws IOException {
        Path pem = Files.writeString(dir.resolve("x.pem"), "x");
        WeftException e = assertThrows(WeftException.class, () -> EtcdConnection.open(
                options(endpoints, ca ? pem : null, cert ? pem : null, key ? pem : null, user, pass)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void missingAndUnusableTlsFilesAreNamed() throws IOException {
        WeftException missing = assertThrows(WeftException.class, () -> EtcdConnection.open(
                options(List.of("https://a:2379"), dir.resolve("ca.pem"), null, null, null, null)));
        assertEquals("etcd-cafile " + dir.resolve("ca.pem") + " does not exist: give the path of the PEM certificate "
                + "of the CA that signed etcd's server certificate", missing.getMessage());

        Path junk = Files.writeString(dir.resolve("junk.pem"), "not a certificate\n");
        WeftException unusable = assertThrows(WeftException.class, () -> EtcdConnection.open(
                options(List.of("https://a:2379"), junk, null, null, null, null)));
        assertTrue(unusable.getMessage().startsWith("TLS files cannot be used (etcd-cafile " + junk), unusable.getMessage());
    }

    @Test
    void noEndpointsMeansTheLocalDefault() {
        try (EtcdConnection c = EtcdConnection.open(options(List.of(), null, null, null, null, null))) {
            assertEquals("http://127.0.0.1:2379", c.endpoints());
        }
    }
}
