package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.HostRequirements;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Debian package as an operator gets it: {@code scripts/package} builds it from this build's jar and
 * lintian finds no error and only the warnings README.md justifies; {@code scripts/test-package} installs
 * it into a fresh Debian root in a container (its own network namespace), runs weft, the CNI plugin and
 * {@code systemd-analyze verify} there, removes and purges it, and checks what is left.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class DebianPackageTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final Pattern LINTIAN_TAG = Pattern.compile("^([EW]): weft: (\\S+)", Pattern.MULTILINE);

    record Run(int code, String out) {
    }

    private static Run run(long minutes, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(ROOT.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        // Read on this thread: the scripts end (timeout, bounded loops), so the stream ends with them.
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(minutes, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(String.join(" ", command) + " did not finish in " + minutes + " min: " + out);
        }
        return new Run(p.exitValue(), out);
    }

    @Test
    void buildsPassesLintianInstallsRunsAndRemovesCleanly() throws Exception {
        HostRequirements.require(HostRequirements.Need.root());
        Path jar = ROOT.resolve("cli/target/weft.jar");
        assertTrue(Files.isRegularFile(jar), "build weft first: " + jar);

        Run build = run(10, ROOT.resolve("scripts/package").toString(), "--jar", jar.toString());
        assertEquals(0, build.code(), build.out());
        List<String> lines = build.out().lines().toList();
        Path deb = Path.of(lines.get(lines.size() - 1));
        assertTrue(deb.getFileName().toString().matches("weft_[0-9][0-9A-Za-z.~+]*_all\\.deb"), deb.toString());
        assertTrue(Files.isRegularFile(deb), deb.toString());

        // lintian: no error, and only the warnings README.md lists and justifies.
        Set<String> tags = new TreeSet<>();
        Matcher m = LINTIAN_TAG.matcher(build.out());
        while (m.find()) {
            tags.add(m.group(1) + ": " + m.group(2));
        }
        assertEquals(Set.of("W: unknown-java-class-version"), tags, build.out());
        String readme = Files.readString(ROOT.resolve("README.md"));
        for (String tag : tags) {
            assertTrue(readme.contains("`" + tag.substring(3) + "`"), "README.md justifies " + tag);
        }

        Run test = run(12, ROOT.resolve("scripts/test-package").toString(), deb.toString());
        assertEquals(0, test.code(), test.out());
        for (String step : List.of("ok: dpkg -i weft ", "ok: weft version: weft ",
                "ok: CNI VERSION through /usr/lib/cni/weft with an empty environment",
                "ok: CNI VERSION through /opt/cni/bin/weft with an empty environment",
                "ok: class-data-sharing archive made by postinst and used", "ok: state directory /var/lib/weft 0700",
                "ok: /etc/default/weft is a conffile", "ok: man page weft(1)", "ok: systemd-analyze verify weft.service",
                "ok: an upgrade keeps the edited /etc/default/weft",
                "ok: the removal took away flannel.1, the route into the Network and the WEFT chains, and nothing else",
                "ok: after dpkg -r only /etc/default/weft is left", "ok: after dpkg -P nothing is left",
                "package test passed")) {
            assertTrue(test.out().contains(step), "missing '" + step + "' in:\n" + test.out());
        }
    }
}
