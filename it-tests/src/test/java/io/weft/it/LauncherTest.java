package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code bin/weft} as a user runs it: a real process from the shaded jar, with real exit codes. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class LauncherTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();

    @TempDir
    Path dir;

    record Run(int code, String out, String err) {
    }

    private static Run weft(String... args) throws IOException, InterruptedException {
        return weft(java.util.Map.of(), args);
    }

    private static Run weft(java.util.Map<String, String> env, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(ROOT.resolve("bin/weft").toString());
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("bin/weft " + String.join(" ", args) + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theShadedJarRunsWithEveryPluginMerged() throws Exception {
        Run version = weft("version");
        assertEquals(0, version.code(), version.err());
        assertTrue(version.out().startsWith("weft "), version.out());

        // ServiceLoader files of every module are merged into the one jar.
        Run unknownStore = weft("leases", "list", "--store", "nope");
        assertEquals(1, unknownStore.code());
        assertEquals("weft: store \"nope\" not found; available: etcd, memory\n", unknownStore.err());

        // A backend no module provides, so the daemon (in the root namespace here) stops before any lease or device.
        Path config = Files.writeString(dir.resolve("net.json"), "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"no-such-backend\"}}");
        Run unknownBackend = weft("daemon", "--store", "memory", "--net-config-path", config.toString(), "--iface", "lo",
                "--public-ip", "198.18.0.1", "--subnet-file", dir.resolve("subnet.env").toString(), "--cni-socket", "");
        assertEquals(1, unknownBackend.code());
        assertTrue(unknownBackend.err().matches(
                "(?s).*weft: backend \"no-such-backend\" not found; available: alloc, host-gw, ipsec, udp, vxlan\n"),
                unknownBackend.err());
    }

    @Test
    void shortCommandsStartFromTheCheckoutsClassDataSharingArchive() throws Exception {
        Run first = weft("version"); // makes cli/target/weft.jsa when the jar is newer than it
        assertEquals(0, first.code(), first.err());
        Path jar = ROOT.resolve("cli/target/weft.jar");
        Path archive = ROOT.resolve("cli/target/weft.jsa");
        assertTrue(Files.isRegularFile(archive), "no " + archive);
        assertTrue(Files.getLastModifiedTime(archive).compareTo(Files.getLastModifiedTime(jar)) >= 0, "older than the jar");
        // -Xshare:on makes the JVM refuse to start unless it maps the archive and it matches the jar.
        Run strict = weft(java.util.Map.of("WEFT_JAVA_OPTS", "-Xshare:on -Xlog:cds=info:stderr"), "version");
        assertEquals(0, strict.code(), strict.err());
        assertEquals(first.out(), strict.out());
        assertTrue(strict.err().contains("Opened archive " + archive + "."), strict.err());
        // The daemon's arm of the launcher opens the daemon's own archive, made from dist/weft-daemon.classlist.
        Run help = weft(java.util.Map.of("WEFT_JAVA_OPTS", "-Xshare:on -Xlog:cds=info:stderr"), "daemon", "--help");
        assertEquals(0, help.code(), help.err());
        assertTrue(help.err().contains("Opened archive " + ROOT.resolve("cli/target/weft-daemon.jsa") + "."), help.err());
        assertTrue(!help.err().contains("weft.jsa"), help.err());
    }

    @Test
    void usageErrorsExitWith2AndRuntimeErrorsWith1() throws Exception {
        Run usage = weft("--no-such-flag");
        assertEquals(2, usage.code());
        assertEquals("weft: Unknown option: '--no-such-flag' (see 'weft --help')\n", usage.err());

        Run bad = weft("config", "put", "--store", "memory", dir.resolve("missing.json").toString());
        assertEquals(1, bad.code());
        assertEquals("weft: config file " + dir.resolve("missing.json")
                + " does not exist: give the path of a JSON file, or -\n", bad.err());
    }

    @Test
    void sigtermStopsTheDaemonWithExitCode0WithinFiveSeconds() throws Exception {
        Path config = Files.writeString(dir.resolve("net.json"), "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        Path subnetFile = dir.resolve("subnet.env");
        Process daemon = new ProcessBuilder(ROOT.resolve("bin/weft").toString(), "daemon", "--store", "memory",
                "--net-config-path", config.toString(), "--iface", "lo", "--public-ip", "198.18.0.1",
                "--subnet-file", subnetFile.toString(), "--healthz-port", "0", "--cni-socket",
                dir.resolve("cni.sock").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile()).start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> Files.exists(subnetFile) || !daemon.isAlive());
            assertTrue(daemon.isAlive(), () -> "daemon died: " + read(dir.resolve("daemon.log")));
            long t0 = System.nanoTime();
            daemon.destroy(); // SIGTERM
            assertTrue(daemon.waitFor(5, TimeUnit.SECONDS), "exited within 5 s");
            assertEquals(0, daemon.exitValue(), () -> read(dir.resolve("daemon.log")));
            assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
            String log = read(dir.resolve("daemon.log"));
            assertTrue(log.contains("stopping") && log.contains("stopped"), log);
        } finally {
            daemon.destroyForcibly();
        }
    }

    /** The daemon's JVM flags come from the launcher, and a flag in WEFT_JAVA_OPTS comes after them, so it wins. */
    @Test
    void theDaemonRunsWithTheLaunchersAgentFlagsAndWeftJavaOptsWin() throws Exception {
        Path config = Files.writeString(dir.resolve("net.json"), "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        Path subnetFile = dir.resolve("subnet.env");
        ProcessBuilder pb = new ProcessBuilder(ROOT.resolve("bin/weft").toString(), "daemon", "--store", "memory",
                "--net-config-path", config.toString(), "--iface", "lo", "--public-ip", "198.18.0.1",
                "--subnet-file", subnetFile.toString(), "--healthz-port", "0", "--cni-socket",
                dir.resolve("cni.sock").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("daemon.log").toFile());
        pb.environment().put("WEFT_JAVA_OPTS", "-Xmx80m");
        pb.environment().remove("MALLOC_ARENA_MAX");
        Process daemon = pb.start();
        try {
            org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(60))
                    .until(() -> Files.exists(subnetFile) || !daemon.isAlive());
            assertTrue(daemon.isAlive(), () -> "daemon died: " + read(dir.resolve("daemon.log")));
            // bin/weft execs java, so the process started is the JVM itself.
            List<String> args = List.of(Files.readString(Path.of("/proc/" + daemon.pid() + "/cmdline")).split("\0"));
            for (String flag : List.of("-Xms8m", "-Xmx64m", "-XX:MaxNewSize=12m", "-XX:+UseSerialGC", "-XX:CICompilerCount=2",
                    "-XX:ReservedCodeCacheSize=48m", "-XX:-UseNotificationThread", "-XX:TrimNativeHeapInterval=2000",
                    "-Dio.netty.allocator.type=unpooled")) {
                assertTrue(args.contains(flag), flag + " in " + args);
            }
            assertTrue(args.indexOf("-Xmx64m") < args.indexOf("-Xmx80m"), "WEFT_JAVA_OPTS after the launcher's: " + args);
            assertTrue(args.indexOf("-Xmx80m") < args.indexOf("-jar"), args.toString());
            String environ = Files.readString(Path.of("/proc/" + daemon.pid() + "/environ"));
            assertTrue(List.of(environ.split("\0")).contains("MALLOC_ARENA_MAX=2"), "MALLOC_ARENA_MAX=2 set");
        } finally {
            daemon.destroyForcibly();
            daemon.waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static String read(Path p) {
        try {
            return Files.readString(p);
        } catch (IOException e) {
            return e.toString();
        }
    }
}
