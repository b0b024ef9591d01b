package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.plugin.PluginRegistry;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.LeaseSnapshot;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.core.spi.store.StoreProvider;
import io.weft.core.spi.store.WatchResult;
import io.weft.store.memory.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Runs the real {@code weft} command in this JVM. Besides the stores found by ServiceLoader it offers
 * {@code --store shared}: one real in-memory store that outlives each command, standing in for an etcd
 * cluster that successive admin commands talk to. A daemon runs on another thread ({@link #start}) until
 * {@link #stop} runs the shutdown hooks it registered, as SIGTERM would; {@link #get} reads its ops endpoint.
 * Registered as an extension ({@code @RegisterExtension}), it stops after each test the daemons it started and
 * fails unless each exits 0.
 */
final class CliHarness implements AfterEachCallback {
    final InMemoryStore shared = new InMemoryStore(HostClock.system());
    final Map<String, String> env = new HashMap<>();
    final List<Runnable> shutdownHooks = new ArrayList<>();
    String stdin = "";
    /** The backend providers to offer instead of those ServiceLoader finds, when set. */
    List<BackendProvider> backends;
    /** The options the last command opened the shared store with. */
    volatile StoreOptions lastOptions;

    private final List<CompletableFuture<Result>> daemons = new ArrayList<>();
    private HttpClient http;

    record Result(int code, String out, String err) {
    }

    /** Runs {@code weft ARGS} and checks it exits 0 with nothing on stderr. */
    Result ok(String... args) {
        Result r = run(args);
        assertEquals(0, r.code(), () -> "stderr: " + r.err());
        assertEquals("", r.err());
        return r;
    }

    /** Runs {@code weft ARGS} and checks it exits {@code code} with the one line {@code err} and nothing on stdout. */
    Result fails(int code, String err, String... args) {
        Result r = run(args);
        assertEquals(code, r.code(), () -> "stderr: " + r.err());
        assertEquals(err + "\n", r.err());
        assertEquals("", r.out());
        return r;
    }

    /** Runs {@code weft ARGS} on another thread, as a daemon runs until {@link #stop}. */
    CompletableFuture<Result> start(String... args) {
        CompletableFuture<Result> daemon = CompletableFuture.supplyAsync(() -> run(args));
        daemons.add(daemon);
        return daemon;
    }

    /** The shutdown hooks the commands registered so far. */
    List<Runnable> shutdownHooks() {
        synchronized (shutdownHooks) {
            return List.copyOf(shutdownHooks);
        }
    }

    /** Runs every shutdown hook, as SIGTERM would, and returns what {@code daemon} ended with (within 10 s). */
    Result stop(CompletableFuture<Result> daemon) throws Exception {
        shutdownHooks().forEach(Runnable::run);
        return daemon.get(10, TimeUnit.SECONDS);
    }

    /** Stops the daemons {@link #start} started and fails unless each exits 0. */
    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        for (CompletableFuture<Result> daemon : daemons) {
            Result r = stop(daemon);
            assertEquals(0, r.code(), () -> "the daemon's exit code; stderr: " + r.err());
        }
    }

    /** A loopback port free just now, for {@code --healthz-port}. */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** {@code GET http://127.0.0.1:PORT/PATH}, within 5 s. */
    HttpResponse<String> get(int port, String path) throws IOException, InterruptedException {
        if (http == null) {
            http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        }
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A backend provider named {@code name} whose {@code create} is {@code create}, to offer in {@link #backends}. */
    static BackendProvider backend(String name, Function<BackendContext, Backend> create) {
        return backend(name, create, null);
    }

    /** As {@link #backend(String, Function)}, answering {@code report} with {@code reports}. */
    static BackendProvider backend(String name, Function<BackendContext, Backend> create, Reports reports) {
        return new BackendProvider() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public Backend create(BackendContext context) {
                return create.apply(context);
            }

            @Override
            public List<String> report(String report, String format, NetworkConfig config, Optional<Path> stateDir,
                    Optional<Path> pskFile) {
                return reports == null ? BackendProvider.super.report(report, format, config, stateDir, pskFile)
                        : reports.report(report, format, config, stateDir, pskFile);
            }
        };
    }

    /** What a test backend answers to {@link BackendProvider#report}. */
    interface Reports {
        List<String> report(String report, String format, NetworkConfig config, Optional<Path> stateDir,
                Optional<Path> pskFile);
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ClassLoader loader = getClass().getClassLoader();
        List<StoreProvider> stores = new ArrayList<>();
        PluginRegistry.load("store", StoreProvider.class, StoreProvider::name, loader).names()
                .forEach(n -> stores.add(PluginRegistry.load("store", StoreProvider.class, StoreProvider::name, loader).get(n)));
        stores.add(new SharedProvider());
        WeftCli cli = new WeftCli(
                PluginRegistry.of("store", StoreProvider::name, stores),
                backends == null
                        ? PluginRegistry.load("backend", BackendProvider.class, BackendProvider::name, loader)
                        : PluginRegistry.of("backend", BackendProvider::name, backends),
                hook -> {
                    synchronized (shutdownHooks) {
                        shutdownHooks.add(hook);
                    }
                },
                withDefaults(env),
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /**
     * The command's environment: {@code env} over WEFT_CNI_SOCKET='' (off), so that a daemon run here never
     * serves, or touches, the machine's /run/weft/cni.sock unless a test gives it a socket.
     */
    private static Map<String, String> withDefaults(Map<String, String> env) {
        Map<String, String> all = new HashMap<>(Map.of("WEFT_CNI_SOCKET", ""));
        all.putAll(env);
        return all;
    }

    /** Serves {@link #shared}; closing a command's handle leaves the store open for the next command. */
    private final class SharedProvider implements StoreProvider {
        @Override
        public String name() {
            return "shared";
        }

        @Override
        public Store create(StoreOptions options) {
            lastOptions = options;
            return new Store() {
                @Override
                public String readNetworkConfig() {
                    return shared.readNetworkConfig();
                }

                @Override
                public void writeNetworkConfig(String json) {
                    shared.writeNetworkConfig(json);
                }

                @Override
                public LeaseSnapshot listLeases(Predicate<Lease> readExpiration) {
                    return shared.listLeases(readExpiration);
                }

                @Override
                public CreateResult createLease(Ipv4Subnet subnet, LeaseAttrs attrs, Duration ttl) {
                    return shared.createLease(subnet, attrs, ttl);
                }

                @Override
                public Optional<Lease> updateLease(Lease held, LeaseAttrs attrs, Duration ttl) {
                    return shared.updateLease(held, attrs, ttl);
                }

                @Override
                public boolean deleteLease(Ipv4Subnet subnet) {
                    return shared.deleteLease(subnet);
                }

                @Override
                public WatchResult watchLeases(long afterRevision, Duration maxWait) throws InterruptedException {
                    return shared.watchLeases(afterRevision, maxWait);
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
