package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A test class's {@code main} in a JVM of its own, for what depends on the JVM's flags. */
final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * Runs {@code main}'s class with {@code flags} and this JVM's class path, within 60 s; asserts it exits 0 and
     * returns its output lines (stdout and stderr) that start with one of {@code prefixes}.
     */
    static List<String> run(Class<?> main, List<String> flags, String... prefixes) throws IOException,
            InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(flags);
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), main.getName()));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> List.of(prefixes).stream().anyMatch(l::startsWith)).toList();
    }
}
