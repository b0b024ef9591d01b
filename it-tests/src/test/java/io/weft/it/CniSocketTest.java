package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.it.lab.CniRuntime;
import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The daemon's CNI socket as a runtime meets it through the shipped {@code cni/weft} shim: a daemon on a lab
 * host serves the calls, and what the shim prints and its exit code are those of the JVM path ({@code weft cni}
 * in a new JVM) for ADD, CHECK, DEL, VERSION and errors; a malformed request gets CNI error JSON and the
 * daemon serves on; the socket is 0600 in a directory made 0700, gone once the daemon stops, and the shim then
 * starts a JVM, as it does when a killed daemon left a socket nobody listens on.
 *
 * <p>Calls that must reach the daemon are made with {@code WEFT_JAR} naming no jar: the JVM path would fail
 * them, so an answer proves the socket served it.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CniSocketTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    /** No jar here: a call made with it is answered by the daemon or not at all. */
    private static final Map<String, String> DAEMON_ONLY = Map.of("WEFT_JAR", "/nonexistent/weft.jar");

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    @BeforeEach
    void plugins() {
        CniRuntime.requirePlugins();
    }

    private Lab lab() {
        return extension.lab();
    }

    /** One host whose /30 leaves one container address, so two ADDs one after the other get the same one. */
    private LabHost host(String... flags) {
        lab().startEtcd();
        lab().putNetworkConfig("{\"Network\":\"100.96.0.0/24\",\"SubnetLen\":30,\"Backend\":{\"Type\":\"udp\"}}");
        return lab().startHosts(flags, 1).get(0);
    }

    /** An ADD result with what the bridge makes up anew each time (MAC addresses, the host veth's name) masked. */
    private static String masked(String stdout) {
        return stdout.replaceAll("\"mac\":\\s*\"[0-9a-f:]{17}\"", "\"mac\": \"M\"").replaceAll("veth[0-9a-f]{8}", "vethX");
    }

    @Test
    void theSocketAnswersAsTheJvmDoesForAddCheckDelVersionAndErrors() {
        LabHost host = host();
        CniRuntime socket = new CniRuntime(lab(), host).with(DAEMON_ONLY, null);
        CniRuntime jvm = new CniRuntime(lab(), host).viaJvm();
        String ns = socket.newNamespace("c1");
        String other = socket.newNamespace("c2");

        CniRuntime.Call version = socket.call("VERSION", "c1", ns, null);
        assertEquals(0, version.code(), version.stdout());
        assertEquals(jvm.call("VERSION", "c1", ns, null), version);

        // The same container attached through each path in turn: the same address, the same result.
        CniRuntime.Call add = socket.call("ADD", "c1", ns, null);
        assertEquals(0, add.code(), add.stdout());
        JsonNode result = CniRuntime.json(add.stdout());
        assertEquals("1.0.0", result.path("cniVersion").asText(), add.stdout());
        CniRuntime.Call check = socket.call("CHECK", "c1", ns, result);
        assertEquals(new CniRuntime.Call(0, ""), check);
        CniRuntime.Call full = socket.call("ADD", "c2", other, null);
        assertNotEquals(0, full.code(), "the only address is taken: " + full.stdout());
        CniRuntime.Call delFailed = socket.call("DEL", "c2", other, null);
        assertEquals(new CniRuntime.Call(0, ""), delFailed, "DEL after a failed ADD");
        CniRuntime.Call unknown = socket.call("CHECK", "c9", other, result);
        assertEquals(3, CniRuntime.json(unknown.stdout()).path("code").asInt(), unknown.stdout());
        CniRuntime.Call del = socket.call("DEL", "c1", ns, null);
        assertEquals(new CniRuntime.Call(0, ""), del);

        CniRuntime.Call jvmAdd = jvm.call("ADD", "c1", ns, null);
        assertEquals(0, jvmAdd.code(), jvmAdd.stdout());
        assertEquals(masked(jvmAdd.stdout()), masked(add.stdout()));
        assertEquals(check, jvm.call("CHECK", "c1", ns, CniRuntime.json(jvmAdd.stdout())));
        assertEquals(full, jvm.call("ADD", "c2", other, null));
        assertEquals(delFailed, jvm.call("DEL", "c2", other, null));
        assertEquals(unknown, jvm.call("CHECK", "c9", other, result));
        assertEquals(del, jvm.call("DEL", "c1", ns, null));
        assertEquals(del, socket.call("DEL", "c1", ns, null), "DEL twice");
    }

    @Test
    void theDelegateGetsTheSameEnvironmentAndConfigThroughTheSocket() throws Exception {
        // A delegate that answers ADD with what it was given: the CNI_* variables, PATH and its config.
        Path plugins = Files.createDirectories(lab().work().resolve("plugins"));
        Path echo = Files.writeString(plugins.resolve("weft-echo"),
                "#!/bin/sh\nenv | grep -E '^(CNI_|PATH=)' | LC_ALL=C sort\ncat\n");
        Files.setPosixFilePermissions(echo, PosixFilePermissions.fromString("rwxr-xr-x"));
        LabHost host = host();
        ObjectNode delegate = MAPPER.createObjectNode().put("type", "weft-echo");
        Map<String, String> env = Map.of("CNI_PATH", plugins + ":/usr/lib/cni",
                "CNI_ARGS", "IgnoreUnknown=1;K8S_POD_NAME=p 1;K8S_POD_NAMESPACE=\"x\"");
        CniRuntime socket = new CniRuntime(lab(), host).with(Map.of("CNI_PATH", env.get("CNI_PATH"),
                "CNI_ARGS", env.get("CNI_ARGS"), "WEFT_JAR", DAEMON_ONLY.get("WEFT_JAR")), delegate);
        CniRuntime jvm = new CniRuntime(lab(), host).with(env, delegate).viaJvm();
        String ns = socket.newNamespace("c1");

        CniRuntime.Call viaSocket = socket.call("ADD", "c1", ns, null);
        assertEquals(0, viaSocket.code(), viaSocket.stdout());
        assertTrue(viaSocket.stdout().contains("CNI_ARGS=IgnoreUnknown=1;K8S_POD_NAME=p 1;K8S_POD_NAMESPACE=\"x\"\n"),
                viaSocket.stdout());
        assertTrue(viaSocket.stdout().contains("\"type\":\"weft-echo\""), viaSocket.stdout());
        assertEquals(new CniRuntime.Call(0, ""), socket.call("DEL", "c1", ns, null));
        assertEquals(viaSocket, jvm.call("ADD", "c1", ns, null));
        assertEquals(new CniRuntime.Call(0, ""), jvm.call("DEL", "c1", ns, null));
    }

    @Test
    void aMalformedRequestGetsCniErrorJsonAndTheDaemonServesOn() {
        LabHost host = host();
        for (String body : List.of("garbage with no end of environment", "CNI_COMMAND\\000\\000{}")) {
            Command.Result raw = Command.run(Duration.ofSeconds(30), List.of("ip", "netns", "exec", host.namespace(),
                    "sh", "-c", "printf '" + body + "' | curl -sS --unix-socket " + host.cniSocket()
                            + " -H 'Expect:' --data-binary @- http://weft/cni"));
            assertEquals(0, raw.code(), raw.output());
            assertTrue(raw.output().startsWith("1\n{"), raw.output());
            JsonNode error = CniRuntime.json(raw.output().substring(2));
            assertEquals(6, error.path("code").asInt(), raw.output());
            assertTrue(error.path("msg").asText().startsWith("CNI request "), raw.output());
        }
        assertTrue(host.daemon().orElseThrow().isAlive());
        CniRuntime socket = new CniRuntime(lab(), host).with(DAEMON_ONLY, null);
        CniRuntime.Call version = socket.call("VERSION", "c1", null, null);
        assertEquals(0, version.code(), version.stdout());
        assertEquals("1.0.0", CniRuntime.json(version.stdout()).path("cniVersion").asText());
    }

    @Test
    void theSocketIs0600GoneAfterAStopAndTheShimFallsBackToTheJvm() {
        lab().startEtcd();
        lab().putNetworkConfig("{\"Network\":\"100.96.0.0/24\",\"SubnetLen\":30,\"Backend\":{\"Type\":\"udp\"}}");
        LabHost host = lab().addHost(1);
        Path socketPath = host.workDir().resolve("run/weft/cni.sock");
        host.startDaemon("--cni-socket", socketPath.toString());
        host.awaitSubnetEnv();
        assertTrue(host.daemon().orElseThrow().output().contains("serving CNI calls socket=" + socketPath),
                host.daemon().orElseThrow().output());
        assertEquals("rw-------", permissions(socketPath));
        assertEquals("rwx------", permissions(socketPath.getParent()));
        assertEquals("rwx------", permissions(socketPath.getParent().getParent()));

        CniRuntime socket = new CniRuntime(lab(), host).viaSocket(socketPath);
        CniRuntime daemonOnly = socket.with(DAEMON_ONLY, null);
        CniRuntime.Container c1 = socket.add("c1");
        assertEquals(0, daemonOnly.call("CHECK", "c1", c1.namespace(), c1.result()).code(), "served by the daemon");

        // Stopped: the socket is gone and the shim starts a JVM.
        assertEquals(0, host.stopDaemon());
        assertFalse(Files.exists(socketPath), "removed on exit");
        CniRuntime.Call none = daemonOnly.call("CHECK", "c1", c1.namespace(), c1.result());
        assertEquals(1, none.code(), none.stdout());
        assertTrue(CniRuntime.json(none.stdout()).path("msg").asText()
                .startsWith("weft cni did not start (exit 1): weft: WEFT_JAR=/nonexistent/weft.jar does not exist"),
                "no socket, so the JVM path (which finds no jar): " + none.stdout());
        CniRuntime.Call check = socket.call("CHECK", "c1", c1.namespace(), c1.result());
        assertEquals(new CniRuntime.Call(0, ""), check, "the JVM answers");

        // Killed: the socket file stays, nobody listens, the shim starts a JVM; a new daemon takes the path over.
        host.startDaemon("--cni-socket", socketPath.toString());
        Awaitility.await("the daemon serves " + socketPath).atMost(Lab.STARTUP).pollInterval(Duration.ofMillis(50))
                .until(() -> host.daemon().orElseThrow().output().contains("serving CNI calls"));
        host.killDaemon();
        assertTrue(Files.exists(socketPath), "a killed daemon leaves its socket");
        assertEquals(new CniRuntime.Call(0, ""), socket.call("DEL", "c1", c1.namespace(), null), "the JVM answers");
        host.startDaemon("--cni-socket", socketPath.toString());
        host.awaitSubnetEnv();
        Awaitility.await("the daemon serves " + socketPath).atMost(Lab.STARTUP).pollInterval(Duration.ofMillis(50))
                .until(() -> daemonOnly.call("VERSION", "c1", null, null).code() == 0);
        assertTrue(host.daemon().orElseThrow().output().contains("removing stale CNI socket " + socketPath),
                host.daemon().orElseThrow().output());
    }

    @Test
    void theDaemonRunsTwoCallsSideBySide() throws Exception {
        // A delegate that succeeds only when the other call's delegate runs at the same time: each marks its
        // container, then waits (boundedly) for two marks.
        Path plugins = Files.createDirectories(lab().work().resolve("plugins"));
        Path marks = Files.createDirectories(lab().work().resolve("marks"));
        Path meet = Files.writeString(plugins.resolve("weft-meet"), "#!/bin/sh\ntouch " + marks + "/$CNI_CONTAINERID\n"
                + "for i in $(seq 1 200); do [ $(ls " + marks + " | wc -l) -ge 2 ] && { echo met; exit 0; }; sleep 0.05; done\n"
                + "echo '{\"code\":100,\"msg\":\"alone\"}'; exit 1\n");
        Files.setPosixFilePermissions(meet, PosixFilePermissions.fromString("rwxr-xr-x"));
        LabHost host = host();
        CniRuntime socket = new CniRuntime(lab(), host).with(Map.of("CNI_PATH", plugins + ":/usr/lib/cni",
                "WEFT_JAR", DAEMON_ONLY.get("WEFT_JAR")), MAPPER.createObjectNode().put("type", "weft-meet"));
        String ns1 = socket.newNamespace("c1");
        String ns2 = socket.newNamespace("c2");
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try {
            var first = two.submit(() -> socket.call("ADD", "c1", ns1, null));
            var second = two.submit(() -> socket.call("ADD", "c2", ns2, null));
            assertEquals(new CniRuntime.Call(0, "met\n"), first.get(60, TimeUnit.SECONDS));
            assertEquals(new CniRuntime.Call(0, "met\n"), second.get(60, TimeUnit.SECONDS));
        } finally {
            two.shutdownNow();
        }
    }

    @Test
    void withoutCurlTheShimStartsAJvm() throws Exception {
        LabHost host = host();
        // Every program of /usr/bin and /bin but curl, and java.
        Path bin = Files.createDirectories(lab().work().resolve("bin-without-curl"));
        for (String dir : List.of("/usr/bin", "/bin")) {
            try (var programs = Files.list(Path.of(dir))) {
                for (Path p : programs.toList()) {
                    Path link = bin.resolve(p.getFileName());
                    if (!p.getFileName().toString().equals("curl") && !Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                        Files.createSymbolicLink(link, p);
                    }
                }
            }
        }
        String path = bin + ":" + Path.of(System.getProperty("java.home"), "bin");
        // A JVM that cannot start tells the two paths apart: only the JVM path fails.
        Map<String, String> noJvm = Map.of("WEFT_JAVA_OPTS", "-XX:+NoSuchVmOption");
        CniRuntime.Call withCurl = new CniRuntime(lab(), host).with(noJvm, null).call("VERSION", "c1", null, null);
        assertEquals(0, withCurl.code(), "the daemon answers: " + withCurl.stdout());
        CniRuntime.Call withoutCurl = new CniRuntime(lab(), host)
                .with(Map.of("PATH", path, "WEFT_JAVA_OPTS", "-XX:+NoSuchVmOption"), null).call("VERSION", "c1", null, null);
        assertEquals(1, withoutCurl.code(), withoutCurl.stdout());
        assertTrue(CniRuntime.json(withoutCurl.stdout()).path("msg").asText()
                .startsWith("weft cni did not start (exit 1): Unrecognized VM option"), withoutCurl.stdout());
        CniRuntime.Call jvm = new CniRuntime(lab(), host).with(Map.of("PATH", path), null).call("VERSION", "c1", null, null);
        assertEquals(withCurl, jvm, "the JVM answers as the daemon does");
    }

    @Test
    void anEmptyCniSocketTurnsItOff() {
        LabHost host = host("--cni-socket", "");
        Awaitility.await("the daemon started").atMost(Lab.STARTUP).pollInterval(Duration.ofMillis(50))
                .until(() -> host.daemon().orElseThrow().output().contains("ready"));
        assertFalse(Files.exists(host.cniSocket()), "no socket");
        assertFalse(host.daemon().orElseThrow().output().contains("serving CNI calls"), host.daemon().orElseThrow().output());
    }

    private static String permissions(Path path) {
        try {
            return PosixFilePermissions.toString(Files.getPosixFilePermissions(path));
        } catch (java.io.IOException e) {
            throw new AssertionError(path + ": " + e, e);
        }
    }
}
