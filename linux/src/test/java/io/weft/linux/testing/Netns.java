package io.weft.linux.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A network namespace a test creates (loopback up) and deletes, and the probes it runs inside it: a probe is a
 * class's main in a child JVM ({@code -Xmx64m}, the test's class path) that prints {@code RESULT key=value} lines.
 * So every socket, device and netlink request of the test lives in a namespace it made, never in the root one.
 * {@link #close()} kills the probes still running (by their own process handle) and deletes the namespace.
 * Needs root and iproute2 (check with {@code HostRequirements} first). Not thread-safe: one test thread drives it.
 */
public final class Netns implements AutoCloseable {
    private final String name;
    private final List<Process> probes = new ArrayList<>();

    private Netns(String name) {
        this.name = name;
    }

    /** Creates namespace {@code name} with its loopback up. */
    public static Netns create(String name) throws IOException, InterruptedException {
        run("ip", "netns", "add", name);
        Netns ns = new Netns(name);
        try {
            ns.ip("link", "set", "lo", "up");
        } catch (IOException | InterruptedException | RuntimeException | AssertionError e) {
            ns.close();
            throw e;
        }
        return ns;
    }

    public String name() {
        return name;
    }

    /** {@code ip -n NAME ARGS}, failing the test unless it exits 0 within 30 s; returns its output. */
    public String ip(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("ip", "-n", name));
        command.addAll(List.of(args));
        return run(command.toArray(String[]::new));
    }

    /** Adds the veth pair {@code a}–{@code b} inside the namespace, {@code a} with {@code address}, both up. */
    public void addVethPair(String a, String b, String address) throws IOException, InterruptedException {
        ip("link", "add", a, "type", "veth", "peer", "name", b);
        ip("addr", "add", address, "dev", a);
        ip("link", "set", a, "up");
        ip("link", "set", b, "up");
    }

    /** Starts {@code probe}'s main with {@code args} inside the namespace, its output to {@code log}. */
    public Process start(Class<?> probe, Path log, String... args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", name,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp", classpath,
                probe.getName()));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        probes.add(p);
        return p;
    }

    /** Runs {@code probe} as {@link #start} does, to its end, and returns its RESULT lines (see {@link #results}). */
    public Map<String, String> probe(Class<?> probe, long timeoutSeconds, String... args) throws Exception {
        Path log = Files.createTempFile("weft-probe", ".log");
        try {
            return results(start(probe, log, args), log, timeoutSeconds);
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * Waits for a probe to exit 0 within {@code timeoutSeconds} (killing it and failing with its output if not) and
     * returns its {@code RESULT key=value} lines; a probe that printed none fails the test.
     */
    public static Map<String, String> results(Process p, Path log, long timeoutSeconds) throws Exception {
        if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            throw new AssertionError("probe did not finish in " + timeoutSeconds + " s: " + Files.readString(log));
        }
        String output = Files.readString(log);
        if (p.exitValue() != 0) {
            throw new AssertionError("probe exited " + p.exitValue() + ": " + output);
        }
        Map<String, String> results = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] kv = line.substring(7).split("=", 2);
                results.put(kv[0], kv[1]);
            }
        }
        if (results.isEmpty()) {
            throw new AssertionError("probe printed no RESULT line: " + output);
        }
        return results;
    }

    /** Runs {@code command}, failing the test unless it exits 0 within 30 s; returns its output. */
    public static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new AssertionError(String.join(" ", command) + " exited " + p.exitValue() + ": " + out);
        }
        return out;
    }

    /** Kills the probes still running, then deletes the namespace if it is still there. */
    @Override
    public void close() throws IOException, InterruptedException {
        for (Process p : probes) {
            if (p.isAlive()) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (Files.exists(Path.of("/run/netns", name))) {
            run("ip", "netns", "del", name);
        }
    }
}
