package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Real signals to a child JVM: the first starts a clean stop (exit 0), a second one exits at once. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SignalShutdownTest {

    private record Probe(Process process, BufferedReader out) {
        /** SIGTERM, through the process handle so that our end of its pipes stays open. */
        void term() {
            process.toHandle().destroy();
        }
    }

    private static Probe probe(long actionMillis) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), SignalShutdownProbe.class.getName(), String.valueOf(actionMillis))
                .redirectErrorStream(true).start();
        BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        assertEquals("armed", out.readLine());
        return new Probe(p, out);
    }

    @Test
    void firstSignalRunsTheCleanStop() throws Exception {
        Probe p = probe(100);
        p.term();
        assertEquals("stopping", p.out().readLine());
        assertTrue(p.process().waitFor(10, TimeUnit.SECONDS));
        assertEquals(0, p.process().exitValue());
    }

    @Test
    void aSecondSignalExitsAtOnce() throws Exception {
        Probe p = probe(30_000);
        p.term();
        assertEquals("stopping", p.out().readLine(), "the first signal started the stop");
        long t0 = System.nanoTime();
        p.term();
        assertTrue(p.process().waitFor(5, TimeUnit.SECONDS), "exited without waiting for the 30 s stop");
        assertEquals(128 + 15, p.process().exitValue());
        assertTrue(System.nanoTime() - t0 < TimeUnit.SECONDS.toNanos(5));
    }
}
