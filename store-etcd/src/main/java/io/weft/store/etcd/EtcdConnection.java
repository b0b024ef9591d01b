package io.weft.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Client;
import io.etcd.jetcd.ClientBuilder;
import io.etcd.jetcd.common.exception.EtcdException;
import io.grpc.Status;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.weft.core.WeftException;
import io.weft.core.spi.store.StoreOptions;
import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import javax.net.ssl.SSLException;

/**
 * One jetcd client built from the user's {@link StoreOptions}, and the one place that waits for etcd:
 * every request is bounded by the request timeout, and every failure becomes a {@link WeftException}
 * naming the endpoints and the cause ({@code cannot reach etcd at http://10.0.0.1:2379: connection
 * refused}). Owned by one {@link EtcdStore}, which closes it. Thread-safe.
 */
final class EtcdConnection implements AutoCloseable {
    static final String DEFAULT_ENDPOINT = "http://127.0.0.1:2379";
    /** gRPC's floor for keep-alive pings; etcd accepts pings this often (its minimum is 5 s). */
    private static final Duration KEEPALIVE_TIME = Duration.ofSeconds(10);

    private final Client client;
    private final ExecutorService callbacks;
    private final String endpoints;
    private final String username;
    private final Duration timeout;

    private EtcdConnection(Client client, ExecutorService callbacks, String endpoints, String username,
            Duration timeout) {
        this.client = client;
        this.callbacks = callbacks;
        this.endpoints = endpoints;
        this.username = username;
        this.timeout = timeout;
    }

    /** Validates the options and builds the client; no request is sent yet. */
    static EtcdConnection open(StoreOptions options) {
        Objects.requireNonNull(options, "options is null");
        List<String> endpoints = options.endpoints().isEmpty() ? List.of(DEFAULT_ENDPOINT) : options.endpoints();
        List<URI> uris = new ArrayList<>();
        boolean https = false;
        boolean http = false;
        for (String e : endpoints) {
            URI uri = parseEndpoint(e);
            https |= "https".equals(uri.getScheme());
            http |= "http".equals(uri.getScheme());
            uris.add(uri);
        }
        if (https && http) {
            throw new WeftException("etcd-endpoints " + String.join(",", endpoints)
                    + " mix http and https: use https for every member, or http for every member");
        }
        Duration timeout = options.requestTimeout();
        if (timeout.isNegative() || timeout.isZero()) {
            throw new WeftException("etcd request timeout " + timeout + " is out of range: it must be positive");
        }
        ClientBuilder builder = Client.builder()
                .endpoints(uris)
                // Fail fast on a member that is down instead of queueing until our own timeout, so the
                // error names the cause (connection refused, TLS) rather than only "no answer".
                .waitForReady(false)
                .connectTimeout(timeout)
                .keepaliveTime(KEEPALIVE_TIME)
                .keepaliveTimeout(timeout)
                .retryMaxDuration(timeout);
        configureTls(builder, options, https);
        configureAuth(builder, options);
        ExecutorService callbacks = callbackPool();
        Vertx vertx = vertx();
        Client client;
        try {
            client = builder.executorService(callbacks).vertx(vertx).build();
        } catch (RuntimeException e) {
            callbacks.shutdownNow();
            vertx.close();
            throw e;
        }
        return new EtcdConnection(client, callbacks, String.join(",", endpoints), options.username(), timeout);
    }

    /**
     * The Vert.x instance that carries the gRPC connection: one event loop ({@code weft-etcd-io-0}, named by
     * {@link EtcdThreadNames}) is all one channel uses, where Vert.x would size its pools for a server (two
     * event loops per core, 20 workers); the client closes it.
     */
    private static Vertx vertx() {
        return Vertx.vertx(new VertxOptions().setEventLoopPoolSize(1).setWorkerPoolSize(1)
                .setInternalBlockingPoolSize(1).setUseDaemonThread(true));
    }

    /**
     * Where jetcd runs its callbacks (watch and keep-alive listeners, retries): as jetcd's own, a cached pool
     * (a callback that waits for another must not wait for a thread), with threads named
     * {@code weft-etcd-callback-N} that end after a minute idle. Closed by {@link #close()}.
     */
    private static ExecutorService callbackPool() {
        AtomicInteger count = new AtomicInteger();
        return Executors.newCachedThreadPool(task -> {
            Thread thread = new Thread(task, "weft-etcd-callback-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
    }

    private static URI parseEndpoint(String endpoint) {
        URI uri;
        try {
            uri = new URI(endpoint.trim());
        } catch (URISyntaxException e) {
            throw new WeftException("etcd-endpoints entry \"" + endpoint + "\" is not a URL: write it as http://HOST:2379");
        }
        if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                || uri.getHost() == null) {
            throw new WeftException("etcd-endpoints entry \"" + endpoint
                    + "\" is not an http or https URL: write it as http://HOST:2379 or https://HOST:2379");
        }
        return uri;
    }

    private static void configureTls(ClientBuilder builder, StoreOptions o, boolean https) {
        if ((o.certFile() == null) != (o.keyFile() == null)) {
            throw new WeftException(o.certFile() == null
                    ? "etcd-keyfile is given without etcd-certfile: give both (a client certificate and its key) or neither"
                    : "etcd-certfile is given without etcd-keyfile: give both (a client certificate and its key) or neither");
        }
        if (!https && o.caFile() == null && o.certFile() == null) {
            return;
        }
        if (!https) {
            throw new WeftException("etcd-cafile/etcd-certfile are given but etcd-endpoints use http: "
                    + "write the endpoints as https://HOST:2379");
        }
        requireReadable("etcd-cafile", o.caFile(), "the PEM certificate of the CA that signed etcd's server certificate");
        requireReadable("etcd-certfile", o.certFile(), "the PEM client certificate");
        requireReadable("etcd-keyfile", o.keyFile(), "the PEM (PKCS#8) private key of the client certificate");
        try {
            builder.sslContext(b -> {
                if (o.caFile() != null) {
                    b.trustManager(o.caFile().toFile());
                }
                if (o.certFile() != null) {
                    b.keyManager(o.certFile().toFile(), o.keyFile().toFile());
                }
            });
        } catch (SSLException | RuntimeException e) {
            throw new WeftException("TLS files cannot be used (etcd-cafile " + o.caFile() + ", etcd-certfile "
                    + o.certFile() + ", etcd-keyfile " + o.keyFile() + "): " + rootMessage(e)
                    + "; give PEM files, the key unencrypted in PKCS#8 form (BEGIN PRIVATE KEY)", e);
        }
    }

    private static void requireReadable(String flag, Path file, String what) {
        if (file == null) {
            return;
        }
        if (!Files.isRegularFile(file)) {
            throw new WeftException(flag + " " + file + " does not exist: give the path of " + what);
        }
        if (!Files.isReadable(file)) {
            throw new WeftException(flag + " " + file + " cannot be read: let the daemon's user read it");
        }
        try {
            if (Files.size(file) == 0) {
                throw new WeftException(flag + " " + file + " is empty: give the path of " + what);
            }
        } catch (IOException e) {
            throw new WeftException(flag + " " + file + " cannot be read: " + e.getMessage(), e);
        }
    }

    private static void configureAuth(ClientBuilder builder, StoreOptions o) {
        boolean user = o.username() != null && !o.username().isEmpty();
        boolean password = o.password() != null && !o.password().isEmpty();
        if (user != password) {
            throw new WeftException(user ? "etcd-username is given without etcd-password: give both or neither"
                    : "etcd-password is given without etcd-username: give both or neither");
        }
        if (user) {
            builder.user(ByteSequence.from(o.username(), StandardCharsets.UTF_8))
                    .password(ByteSequence.from(o.password(), StandardCharsets.UTF_8));
        }
    }

    Client client() {
        return client;
    }

    /**
     * Sends one request and waits for it, at most the request timeout.
     *
     * @param action what the request does, for the error message, e.g. "read the network config"
     */
    <T> T call(String action, Supplier<CompletableFuture<T>> request) {
        CompletableFuture<T> future;
        try {
            future = request.get();
        } catch (RuntimeException e) {
            throw failure(action, e);
        }
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            future.cancel(true);
            Thread.currentThread().interrupt();
            throw new WeftException("interrupted while waiting for etcd at " + endpoints + " to " + action, e);
        } catch (TimeoutException e) {
            future.cancel(true);
            throw failure(action, e);
        } catch (ExecutionException e) {
            throw failure(action, e.getCause() == null ? e : e.getCause());
        } catch (CancellationException e) {
            throw failure(action, e);
        }
    }

    /** Turns a jetcd, gRPC or network failure into a message for a user. */
    WeftException failure(String action, Throwable error) {
        String reach = "cannot reach etcd at " + endpoints + ": ";
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SSLException || t instanceof CertificateException) {
                return new WeftException(reach + "TLS handshake failed: " + rootMessage(t)
                        + "; check that etcd-cafile signed etcd's server certificate, that the endpoint host is "
                        + "in that certificate, and etcd-certfile/etcd-keyfile", error);
            }
            if (t instanceof ConnectException) {
                String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
                return new WeftException(reach + (m.contains("refused") ? "connection refused" : m), error);
            }
            if (t instanceof NoRouteToHostException) {
                return new WeftException(reach + "no route to host", error);
            }
            if (t instanceof UnknownHostException) {
                return new WeftException(reach + "unknown host " + t.getMessage(), error);
            }
            if (t instanceof TimeoutException) {
                return new WeftException(reach + "no answer within " + describe(timeout)
                        + " to " + action + " (is a quorum of members up?)", error);
            }
        }
        String text = rootMessage(error);
        String lower = text.toLowerCase(Locale.ROOT);
        if (lower.contains("authentication failed") || lower.contains("invalid auth token")
                || lower.contains("user name not found") || lower.contains("user name is empty")) {
            return new WeftException("etcd at " + endpoints + " rejected user \"" + username + "\": " + text
                    + "; check etcd-username and etcd-password", error);
        }
        if (lower.contains("permission denied")) {
            return new WeftException("etcd at " + endpoints + " denied the request to " + action + " for user \""
                    + username + "\": " + text + "; grant the user's role read-write access to the weft prefix", error);
        }
        if (lower.contains("no leader") || lower.contains("leader changed") || lower.contains("timed out")
                || isUnavailable(error)) {
            return new WeftException(reach + text.replaceFirst("^(UNAVAILABLE|DEADLINE_EXCEEDED): ", ""), error);
        }
        return new WeftException("etcd at " + endpoints + " failed to " + action + ": " + text, error);
    }

    /** True when gRPC or jetcd anywhere in the chain says the server could not be used (not a refusal). */
    private static boolean isUnavailable(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof EtcdException ee && ee.getErrorCode() != null) {
                switch (ee.getErrorCode()) {
                    case UNAVAILABLE, DEADLINE_EXCEEDED -> {
                        return true;
                    }
                    default -> { }
                }
            }
        }
        Status.Code code = Status.fromThrowable(error).getCode();
        return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
    }

    /** The most specific message in a cause chain. */
    static String rootMessage(Throwable error) {
        String message = null;
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        return message != null ? message : error.getClass().getSimpleName();
    }

    private static String describe(Duration d) {
        return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
    }

    String endpoints() {
        return endpoints;
    }

    @Override
    public void close() {
        client.close();
        callbacks.shutdownNow();
    }
}
