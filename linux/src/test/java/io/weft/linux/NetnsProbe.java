package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
 * Runs a bounded command (ip), and a probe's main in a child JVM inside a network namespace, reading the
 * {@code RESULT key=value} lines it prints: so every netlink socket this module's tests open lives in a
 * namespace the test created, never in the root one. Stateless.
 */
final class NetnsProbe {
    private NetnsProbe() {
    }

    /** Runs {@code command}, failing the test unless it exits 0 within 30 s; returns its output. */
    static String run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
        return out;
    }

    /** Runs {@code probe}'s main with {@code args} in a child JVM inside {@code namespace}; returns its RESULT lines. */
    static Map<String, String> results(String namespace, Class<?> probe, long timeoutSeconds, String... args)
            throws Exception {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp", classpath,
                probe.getName()));
        command.addAll(List.of(args));
        Path log = Files.createTempFile("weft-probe", ".log");
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
            if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                throw new AssertionError("probe did not finish in " + timeoutSeconds + " s: " + Files.readString(log));
            }
            String output = Files.readString(log);
            assertEquals(0, p.exitValue(), output);
            Map<String, String> results = new HashMap<>();
            for (String line : output.split("\n")) {
                if (line.startsWith("RESULT ")) {
                    String[] kv = line.substring(7).split("=", 2);
                    results.put(kv[0], kv[1]);
                }
            }
            assertTrue(!results.isEmpty(), output);
            return results;
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
