package io.weft.core.ops;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.spi.backend.NetworkStats;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The ops endpoint against slow and idle clients, on a loopback port this test binds: connections that send
 * half a request hold no thread, and one that never finishes is closed at the deadline.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class OpsServerTest {
    private static final String HALF_A_HEADER = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: sl";

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final List<Socket> slow = new ArrayList<>();
    private OpsServer server;

    @AfterEach
    void close() throws IOException {
        for (Socket s : slow) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    private OpsServer start(Duration deadline) {
        DaemonMetrics metrics = new DaemonMetrics(() -> 1, () -> 3600, () -> 0, () -> NetworkStats.NONE, () -> 0,
                () -> 0, () -> 0, () -> 0, () -> 0);
        return new OpsServer("127.0.0.1", 0, () -> Optional.of("no lease held"), metrics, () -> "{}", deadline);
    }

    private HttpResponse<String> get(String path, Duration timeout) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    }

    private Socket sendHalfARequest() throws IOException {
        Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port());
        s.getOutputStream().write(HALF_A_HEADER.getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        slow.add(s);
        return s;
    }

    /** True while the server has neither answered nor closed the connection. */
    private static boolean stillOpen(Socket s) throws IOException {
        s.setSoTimeout(50);
        try {
            s.getInputStream().read();
            return false;
        } catch (SocketTimeoutException e) {
            return true;
        }
    }

    @Test
    void twentyConnectionsThatSendHalfAHeaderDoNotHoldUpHealthz() throws Exception {
        server = start(OpsServer.CONNECTION_DEADLINE);
        for (int i = 0; i < 20; i++) {
            sendHalfARequest();
        }
        HttpResponse<String> health = get("/healthz", Duration.ofSeconds(1));
        assertEquals(200, health.statusCode());
        assertEquals("ok\n", health.body());
        HttpResponse<String> ready = get("/readyz", Duration.ofSeconds(1));
        assertEquals(503, ready.statusCode());
        assertEquals("no lease held\n", ready.body());
        assertTrue(get("/metrics", Duration.ofSeconds(1)).body().contains("weft_lease_expiry_seconds 3600.0"));
        for (Socket s : slow) {
            assertTrue(stillOpen(s), "the slow clients are still connected, waiting");
        }
    }

    @Test
    void aConnectionThatNeverFinishesItsRequestIsClosedAtTheDeadline() throws Exception {
        server = start(Duration.ofMillis(500));
        Socket s = sendHalfARequest();
        s.setSoTimeout(10_000);
        InputStream in = s.getInputStream();
        assertEquals(-1, in.read(), "closed by the server, with no reply");
        assertEquals(200, get("/healthz", Duration.ofSeconds(1)).statusCode(), "and the server serves on");
    }

    @Test
    void oneThreadNamedWeftOpsHttpServesEveryRequestAndEndsWithTheServer() throws Exception {
        server = start(OpsServer.CONNECTION_DEADLINE);
        for (String path : List.of("/healthz", "/readyz", "/metrics", "/status")) {
            get(path, Duration.ofSeconds(5));
        }
        assertEquals(1, opsThreads(), "threads named weft-ops-http");
        server.close();
        server = null;
        await().atMost(Duration.ofSeconds(5)).until(() -> opsThreads() == 0);
    }

    private static long opsThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.isAlive() && t.getName().startsWith("weft-ops")).count();
    }

    @Test
    void anUnknownPathIs404AndEachReplyClosesItsConnection() throws Exception {
        server = start(OpsServer.CONNECTION_DEADLINE);
        HttpResponse<String> r = get("/nope", Duration.ofSeconds(5));
        assertEquals(404, r.statusCode());
        assertEquals("not found\n", r.body());
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), server.port())) {
            s.getOutputStream().write("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            s.setSoTimeout(10_000);
            String reply = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII);
            assertTrue(reply.startsWith("HTTP/1.1 200 OK\r\n"), reply);
            assertTrue(reply.toLowerCase().contains("connection: close"), reply);
            assertTrue(reply.endsWith("\r\n\r\nok\n"), reply);
        }
    }

    @Test
    void aPortInUseSaysWhichFlagToChange() throws Exception {
        server = start(OpsServer.CONNECTION_DEADLINE);
        var e = assertThrows(io.weft.core.WeftException.class, () -> new OpsServer("127.0.0.1", server.port(),
                Optional::empty, null, () -> "{}"));
        assertTrue(e.getMessage().startsWith("cannot serve healthz on 127.0.0.1:" + server.port() + ": "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("; pick a free --healthz-port, or 0 to turn it off"), e.getMessage());
        await().atMost(Duration.ofSeconds(5)).until(() -> get("/healthz", Duration.ofSeconds(1)).statusCode() == 200);
    }
}
