package io.weft.backend.udp;

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
 * What the netns tests of this module share: running a command (ip) with a bound, starting a probe's main
 * in a child JVM inside a namespace, and reading the {@code RESULT key=value} lines it prints. Stateless.
 */
final class NetnsProbes {
    private NetnsProbes() {
    }

    /** Runs {@code command}, failing the test unless it exits 0 within 30 s. */
    static void run(String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in 30 s");
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + out);
    }

    /** Starts {@code probe}'s main with {@code args} in a child JVM (-Xmx64m) inside {@code namespace}, output to {@code log}. */
    static Process start(String namespace, Class<?> probe, Path log, String... args) throws IOException {
        String classpath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> command = new ArrayList<>(List.of("ip", "netns", "exec", namespace,
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx64m", "-cp", classpath,
                probe.getName()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    }

    /** Waits for the probe to exit 0 within {@code timeoutSeconds} and returns its RESULT lines. */
    static Map<String, String> results(Process p, Path log, long timeoutSeconds) throws Exception {
        assertTrue(p.waitFor(timeoutSeconds, TimeUnit.SECONDS), "probe finished in " + timeoutSeconds + " s");
        String output = Files.readString(log);
        assertEquals(0, p.exitValue(), output);
        Map<String, String> results = new HashMap<>();
        for (String line : output.split("\n")) {
            if (line.startsWith("RESULT ")) {
                String[] kv = line.substring(7).split("=", 2);
                results.put(kv[0], kv[1]);
            }
        }
        return results;
    }
}
