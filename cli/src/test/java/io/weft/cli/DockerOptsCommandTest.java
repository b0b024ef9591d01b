package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
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
