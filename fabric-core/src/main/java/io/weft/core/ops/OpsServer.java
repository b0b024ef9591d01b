package io.weft.core.ops;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.weft.core.WeftException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The daemon's local HTTP endpoint: {@code /healthz} (200 while the daemon runs), {@code /readyz} (200
 * once ready, else 503 with the reason), {@code /metrics} (Prometheus text) and {@code /status} (JSON for
 * {@code weft status}). One named thread serves requests. Owned and closed by the daemon.
 */
public final class OpsServer implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;

    /**
     * @param notReady why the daemon is not ready, or empty when it is
     * @param status   the {@code /status} JSON
     */
    public OpsServer(String ip, int port, Supplier<Optional<String>> notReady, DaemonMetrics metrics,
            Supplier<String> status) {
        try {
            server = HttpServer.create(new InetSocketAddress(ip, port), 16);
        } catch (IOException e) {
            throw new WeftException("cannot serve healthz on " + ip + ":" + port + ": " + e.getMessage()
                    + "; pick a free --healthz-port, or 0 to turn it off", e);
        }
        executor = Executors.newSingleThreadExecutor(r -> new Thread(r, "weft-ops-http"));
        server.setExecutor(executor);
        server.createContext("/healthz", ex -> reply(ex, 200, "text/plain", "ok\n"));
        server.createContext("/readyz", ex -> {
            Optional<String> reason = notReady.get();
            reply(ex, reason.isPresent() ? 503 : 200, "text/plain", reason.map(r -> r + "\n").orElse("ready\n"));
        });
        server.createContext("/metrics", ex -> {
            ex.getResponseHeaders().set("Content-Type", metrics.contentType());
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                metrics.write(out);
            }
        });
        server.createContext("/status", ex -> reply(ex, 200, "application/json", status.get()));
        server.start();
    }

    /** The port actually bound (useful when 0 was not asked for but a test wants to know). */
    public int port() {
        return server.getAddress().getPort();
    }

    private static void reply(HttpExchange ex, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        ex.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
