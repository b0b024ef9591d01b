package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft docker-opts} against known subnet.env files, in mk-docker-opts.sh's exact forms. */
class DockerOptsCommandTest {
    private final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    private Path env;

    @BeforeEach
    void subnetEnv() throws IOException {
        env = Files.writeString(dir.resolve("subnet.env"),
                "FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=10.5.34.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=true\n");
    }

    private String ok(String... args) {
        CliHarness.Result r = weft.run(args);
        assertEquals(0, r.code(), r.err());
        return r.out();
    }

    @Test
    void printsIndividualAndCombinedOptionsByDefault() {
        assertEquals("DOCKER_OPT_BIP=\"--bip=10.5.34.1/24\"\n"
                + "DOCKER_OPT_IPMASQ=\"--ip-masq=false\"\n"
                + "DOCKER_OPT_MTU=\"--mtu=1472\"\n"
                + "DOCKER_OPTS=\" --bip=10.5.34.1/24 --ip-masq=false --mtu=1472 \"\n",
                ok("docker-opts", "-f", env.toString()));
    }

    @Test
    void combinedOnlyWithAnotherKeyExtendingItsCurrentValue() {
        weft.env.put("MY_OPTS", "--debug");
        assertEquals("MY_OPTS=\"--debug --bip=10.5.34.1/24 --ip-masq=false --mtu=1472 \"\n",
                ok("docker-opts", "-f", env.toString(), "-c", "-k", "MY_OPTS"));
    }

    @Test
    void individualOnlyAndWithoutIpMasq() throws IOException {
        assertEquals("DOCKER_OPT_BIP=\"--bip=10.5.34.1/24\"\nDOCKER_OPT_MTU=\"--mtu=1472\"\n",
                ok("docker-opts", "-f", env.toString(), "-i", "-m"));
        Files.writeString(env, "FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=10.5.34.1/24\nFLANNEL_MTU=1400\nFLANNEL_IPMASQ=false\n");
        assertEquals("DOCKER_OPT_BIP=\"--bip=10.5.34.1/24\"\nDOCKER_OPT_MTU=\"--mtu=1400\"\n",
                ok("docker-opts", "-f", env.toString(), "-i"), "no --ip-masq when weft does not masquerade");
    }

    @Test
    void writesTheDockerEnvFileWithD() throws IOException {
        Path out = dir.resolve("docker_opts.env");
        Files.writeString(out, "OLD=1\n");
        assertEquals("", ok("docker-opts", "-f", env.toString(), "-d", out.toString(), "-c"));
        assertEquals("DOCKER_OPTS=\" --bip=10.5.34.1/24 --ip-masq=false --mtu=1472 \"\n", Files.readString(out));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
    }

    /** What a shell that sources the file, as mk-docker-opts.sh users do, finds in DOCKER_OPTS. */
    private String sourced(Path file, String shell) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(shell, "-c", ". \"$1\" && printf '%s' \"$DOCKER_OPTS\"", shell, file.toString())
                .directory(dir.toFile()).redirectErrorStream(true).start();
        assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the shell ends");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void hostileDockerOptsStayOneValueThatRunsNothing() throws Exception {
        Path marker = dir.resolve("pwned");
        String[] hostile = {
            "--debug \" --label=a\"",
            "--label='x' \"; touch " + marker + "; echo \"",
            "--label=$(touch " + marker + ") --label=`touch " + marker + "` $HOME ${PATH}",
            "--debug\nTOUCHED=$(touch " + marker + ")\nDOCKER_OPT_MTU=\"--mtu=1\"",
            "--a \\\" \\ \\\\ --b\r\n",
        };
        for (String value : hostile) {
            weft.env.put("DOCKER_OPTS", value);
            Path out = dir.resolve("docker_opts.env");
            ok("docker-opts", "-f", env.toString(), "-d", out.toString());
            assertEquals(4, Files.readAllLines(out).size(), "one line per variable: " + Files.readString(out));
            String expected = value.replace('\n', ' ').replace('\r', ' ')
                    + " --bip=10.5.34.1/24 --ip-masq=false --mtu=1472 ";
            for (String shell : new String[] {"/bin/sh", "/bin/bash"}) {
                assertEquals(expected, sourced(out, shell), shell + " reads " + Files.readString(out));
            }
            assertFalse(Files.exists(marker), "nothing in " + value + " ran");
        }
    }

    @Test
    void aMissingSubnetEnvOrBadKeyIsAOneLineError() {
        CliHarness.Result r = weft.run("docker-opts", "-f", dir.resolve("none.env").toString());
        assertEquals(1, r.code());
        assertEquals("weft: subnet file " + dir.resolve("none.env")
                + " does not exist: is the weft daemon running? (or pass -f FILE)\n", r.err());
        r = weft.run("docker-opts", "-f", env.toString(), "-k", "BAD KEY");
        assertEquals("weft: -k \"BAD KEY\" is not a shell variable name: use letters, digits and _\n", r.err());
    }
}
