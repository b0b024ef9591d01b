package io.weft.cli.cni;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.WeftException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The daemon's CNI socket on its own, with a plain unix-socket client: the answer's framing, what a
 * malformed request gets, the socket file's mode, directory and removal, and what is found at the path
 * at start. Only VERSION and calls that fail before a delegate runs are made here; ADD, DEL and CHECK
 * through the shim, against {@code weft cni}, run in it-tests inside network namespaces.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CniSocketServerTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    /**
     * Sends {@code request} and reads the connection to its end (the server closes it after its answer). A
     * server that answers before the whole request is sent (one too large) ends the sending early.
     */
    private static String exchange(Path socket, byte[] request) throws IOException {
        try (SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ByteBuffer out = ByteBuffer.wrap(request);
            try {
                while (out.hasRemaining()) {
                    ch.write(out);
                }
            } catch (IOException e) {
                assertTrue(request.length > CniSocketServer.MAX_REQUEST, "cut off while sending: " + e);
            }
            return readToEnd(ch);
        }
    }

    private static String readToEnd(SocketChannel ch) throws IOException {
        ByteArrayOutputStream in = new ByteArrayOutputStream();
        ByteBuffer buf = ByteBuffer.allocate(8192);
        while (ch.read(buf) >= 0) {
            in.write(buf.array(), 0, buf.position());
            buf.clear();
        }
        return in.toString(StandardCharsets.UTF_8);
    }

    private static byte[] post(String path, byte[] body) {
        byte[] head = ("POST " + path + " HTTP/1.1\r\nHost: weft\r\nContent-Length: " + body.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[head.length + body.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(body, 0, all, head.length, body.length);
        return all;
    }

    /** A body as cni/weft sends it: `env -0`, a NUL, then stdin. */
    private static byte[] call(Map<String, String> env, String stdin) {
        StringBuilder b = new StringBuilder();
        new TreeMap<>(env).forEach((k, v) -> b.append(k).append('=').append(v).append('\0'));
        b.append('\0').append(stdin);
        return b.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The body of an HTTP answer. */
    private static String body(String response) {
        assertTrue(response.startsWith("HTTP/1.1 200 OK\r\n"), response);
        return response.substring(response.indexOf("\r\n\r\n") + 4);
    }

    /** Checks an answer is exit code 1 with CNI error JSON of {@code code} whose msg starts with {@code msg}. */
    private static void assertError(String response, int code, String msg) throws IOException {
        String body = body(response);
        assertTrue(body.startsWith("1\n") && body.endsWith("}\n"), body);
        JsonNode json = MAPPER.readTree(body.substring(2));
        assertEquals(code, json.path("code").asInt(), body);
        assertTrue(json.path("msg").asText().startsWith(msg), body);
        assertEquals("1.0.0", json.path("cniVersion").asText(), body);
        assertTrue(json.has("details"), body);
    }

    @Test
    void answersAsWeftCniWouldPrintWithTheExitCodeFirst() throws Exception {
        Path socket = dir.resolve("run/cni.sock");
        try (CniSocketServer server = new CniSocketServer(socket)) {
            Map<String, String> version = Map.of("CNI_COMMAND", "VERSION");
            assertEquals("0\n" + new CniPlugin(version).run(() -> new byte[0]).printed(),
                    body(exchange(socket, post("/cni", call(version, "")))));
            assertEquals("0\n{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]}\n",
                    body(exchange(socket, post("/cni", call(version, "")))));

            // The environment and stdin reach the plugin: ADD reads the subnet file the config names.
            Map<String, String> add = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1", "CNI_IFNAME", "eth0",
                    "CNI_NETNS", "/run/netns/none", "CNI_PATH", dir.toString());
            String conf = "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"weft\",\"subnetFile\":\""
                    + dir.resolve("none.env") + "\",\"dataDir\":\"" + dir.resolve("data") + "\"}";
            String answer = body(exchange(socket, post("/cni", call(add, conf))));
            assertEquals("1\n" + new CniPlugin(add).run(() -> conf.getBytes(StandardCharsets.UTF_8)).printed(), answer);
            JsonNode err = MAPPER.readTree(answer.substring(2));
            assertEquals(11, err.path("code").asInt(), answer);
            assertEquals("0.4.0", err.path("cniVersion").asText(), answer);
            assertEquals("subnet file " + dir.resolve("none.env") + " does not exist: is the weft daemon running?",
                    err.path("msg").asText());
        }
    }

    private static List<String> threadsNamed(String prefix) {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName).filter(n -> n.startsWith(prefix))
                .sorted().toList();
    }

    @Test
    void callsRunOnWorkersNamedWeftCniThatEndWhenIdleSoAnIdleDaemonKeepsOnlyTheIoThread() throws Exception {
        Path socket = dir.resolve("idle.sock");
        byte[] version = post("/cni", call(Map.of("CNI_COMMAND", "VERSION"), ""));
        try (CniSocketServer server = new CniSocketServer(socket, Duration.ofSeconds(10), Duration.ofSeconds(2))) {
            assertEquals(List.of(), threadsNamed("weft-cni-0"), "no worker before the first call");
            assertTrue(body(exchange(socket, version)).startsWith("0\n"));
            assertEquals(List.of("weft-cni-0"), threadsNamed("weft-cni-0"), "the call ran on a worker, which stays for its idle time (2 s)");
            await().atMost(Duration.ofSeconds(10)).until(() -> threadsNamed("weft-cni-").stream()
                    .noneMatch(n -> !n.startsWith("weft-cni-io")));
            assertEquals(1, threadsNamed("weft-cni-io").size(), "the I/O thread stays");
            assertTrue(body(exchange(socket, version)).startsWith("0\n"), "a call after the workers ended is served");
        }
    }

    @Test
    void aMalformedRequestGetsCniErrorJsonAndServingGoesOn() throws Exception {
        Path socket = dir.resolve("cni.sock");
        byte[] version = post("/cni", call(Map.of("CNI_COMMAND", "VERSION"), ""));
        try (CniSocketServer server = new CniSocketServer(socket)) {
            assertError(exchange(socket, post("/cni", "CNI_COMMAND=ADD\0no end".getBytes(StandardCharsets.UTF_8))), 6,
                    "CNI request has no end of environment (an empty NUL-ended entry)");
            assertError(exchange(socket, post("/cni", "CNI_COMMAND\0\0{}".getBytes(StandardCharsets.UTF_8))), 6,
                    "CNI request environment entry \"CNI_COMMAND\" is not NAME=value");
            assertError(exchange(socket, post("/other", call(Map.of("CNI_COMMAND", "VERSION"), ""))), 6,
                    "CNI request POST /other is not POST /cni");
            assertError(exchange(socket, "GET /cni HTTP/1.1\r\nHost: weft\r\n\r\n".getBytes(StandardCharsets.US_ASCII)), 6,
                    "CNI request GET /cni is not POST /cni");
            assertError(exchange(socket, "\u0001\u0002 not http at all\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1)), 6,
                    "CNI request is not HTTP");
            assertError(exchange(socket, post("/cni", new byte[CniSocketServer.MAX_REQUEST + 1])), 6,
                    "CNI request is over " + CniSocketServer.MAX_REQUEST + " bytes");
            assertError(exchange(socket, post("/cni", call(Map.of(), ""))), 4, "CNI_COMMAND is not set");
            assertTrue(body(exchange(socket, version)).startsWith("0\n{\"cniVersion\":\"1.0.0\""));
        }
    }

    @Test
    void aRequestNotWholeWithinTheDeadlineIsCutOff() throws Exception {
        Path socket = dir.resolve("cni.sock");
        try (CniSocketServer server = new CniSocketServer(socket, Duration.ofMillis(300));
             SocketChannel ch = SocketChannel.open(UnixDomainSocketAddress.of(socket))) {
            ch.write(ByteBuffer.wrap("POST /cni HTTP/1.1\r\nContent-Length: 100\r\n\r\nCNI_".getBytes(StandardCharsets.US_ASCII)));
            assertEquals("", readToEnd(ch), "closed without an answer");
            assertTrue(body(exchange(socket, post("/cni", call(Map.of("CNI_COMMAND", "VERSION"), "")))).startsWith("0\n"));
        }
    }

    @Test
    void theSocketIs0600InA0700DirectoryAndGoneAfterClose() throws Exception {
        Path socket = dir.resolve("run/weft/cni.sock");
        CniSocketServer server = new CniSocketServer(socket);
        try {
            assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket)));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(socket.getParent())));
            assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir.resolve("run"))));
        } finally {
            server.close();
        }
        assertFalse(Files.exists(socket), "removed on close");
        assertThrows(IOException.class, () -> SocketChannel.open(UnixDomainSocketAddress.of(socket)));
        server.close(); // a second close is harmless
    }

    @Test
    void aStaleSocketIsReplacedAndAServedOneOrAFileIsNot() throws Exception {
        Path socket = dir.resolve("cni.sock");
        // A socket file that no process listens on, as a killed daemon leaves it.
        try (ServerSocketChannel stale = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            stale.bind(UnixDomainSocketAddress.of(socket));
        }
        assertTrue(Files.exists(socket));
        try (CniSocketServer server = new CniSocketServer(socket)) {
            assertTrue(body(exchange(socket, post("/cni", call(Map.of("CNI_COMMAND", "VERSION"), "")))).startsWith("0\n"));

            WeftException served = assertThrows(WeftException.class, () -> new CniSocketServer(socket));
            assertEquals("cni-socket " + socket + " is served by another process (another weft daemon?): stop it, or"
                    + " give --cni-socket another path", served.getMessage());
            assertTrue(body(exchange(socket, post("/cni", call(Map.of("CNI_COMMAND", "VERSION"), "")))).startsWith("0\n"),
                    "the first server still serves");
        }

        Path file = Files.writeString(dir.resolve("file.sock"), "x");
        WeftException notSocket = assertThrows(WeftException.class, () -> new CniSocketServer(file));
        assertEquals("cni-socket " + file + " exists and is not a socket: remove it, or give --cni-socket another path",
                notSocket.getMessage());
        assertEquals("x", Files.readString(file), "left alone");

        Path blocked = file.resolve("cni.sock"); // its "directory" is a file
        WeftException noDir = assertThrows(WeftException.class, () -> new CniSocketServer(blocked));
        assertTrue(noDir.getMessage().startsWith("cni-socket " + blocked + " cannot be prepared: "), noDir.getMessage());
        assertTrue(noDir.getMessage().endsWith("; give --cni-socket a path in a writable directory, or '' to turn it off"),
                noDir.getMessage());
    }
}
