package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shipped unit file passes systemd's own checks and asks for what weft does (sd_notify, SIGTERM). */
class SystemdUnitTest {
    private static final Path UNIT = Path.of(System.getProperty("user.dir")).getParent().resolve("dist/weft.service");

    @TempDir
    Path dir;

    @Test
    void verifiesWithSystemdAnalyze() throws Exception {
        String unit = Files.readString(UNIT);
        assertTrue(unit.contains("\nType=notify\n"), "weft sends READY=1, so the unit waits for it");
        assertTrue(unit.contains("\nExecStart=/usr/bin/weft daemon $WEFT_OPTS\n"), unit);
        assertTrue(unit.contains("\nKillSignal=SIGTERM\n"), unit);
        // Documentation=man:weft(1) is installed by the package, not on this machine: --man=no.
        // Point ExecStart at this checkout's launcher so verify can check that it is executable.
        Path launcher = UNIT.getParent().getParent().resolve("bin/weft");
        Path copy = dir.resolve("weft.service");
        Files.writeString(copy, unit.replace("/usr/bin/weft", launcher.toString()));
        Process p = new ProcessBuilder("systemd-analyze", "verify", "--man=no", copy.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals("", out.lines().filter(l -> l.contains("weft.service")).reduce("", String::concat), out);
    }
}
