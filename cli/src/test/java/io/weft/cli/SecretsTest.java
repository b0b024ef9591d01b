package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Secrets the commands handle: {@code config get} hides {@code Backend.PSK} unless {@code --show-secrets},
 * {@code config put} refuses the placeholder it prints, and the etcd password comes from a flag, the environment
 * or a file. Each checked for exit code, stdout and stderr.
 */
class SecretsTest {
    private static final String PSK = "stored-psk-0123456789abcdef0123456789abcdef";
    private static final String IPSEC = "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"ipsec\",\"PSK\":\"" + PSK
            + "\",\"Port\":4500}}";
    private final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    @Test
    void configGetRedactsThePskUnlessShowSecrets() {
        weft.shared.writeNetworkConfig(IPSEC);
        String shown = weft.ok("config", "get", "--store", "shared").out();
        assertEquals("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"ipsec\",\"PSK\":\"<redacted>\",\"Port\":4500}}\n",
                shown);
        assertTrue(!shown.contains(PSK));
        assertEquals(IPSEC + "\n", weft.ok("config", "get", "--store", "shared", "--show-secrets").out());
        assertTrue(weft.ok("config", "get", "--help").out().contains("--show-secrets"));
    }

    @Test
    void keysInAnyCaseAreRedactedAndAConfigWithoutPskIsPrintedAsStored() {
        weft.shared.writeNetworkConfig("{\"network\":\"10.5.0.0/16\",\"backend\":{\"type\":\"ipsec\",\"psk\":\"" + PSK
                + "\"}}");
        assertEquals("{\"network\":\"10.5.0.0/16\",\"backend\":{\"type\":\"ipsec\",\"psk\":\"<redacted>\"}}\n",
                weft.ok("config", "get", "--store", "shared").out());
        String udp = "{ \"Network\": \"10.5.0.0/16\",\n  \"Backend\": {\"Type\": \"udp\"} }";
        weft.shared.writeNetworkConfig(udp);
        assertEquals(udp + "\n", weft.ok("config", "get", "--store", "shared").out(),
                "nothing to hide: the text as stored");
    }

    @Test
    void aStoredConfigThatIsNotJsonIsShownOnlyWithShowSecrets() {
        weft.shared.writeNetworkConfig("{\"Backend\":{\"PSK\":\"" + PSK + "\"");
        weft.fails(1, "weft: the stored network config is not valid JSON, so weft cannot hide a PSK in it: print it as"
                + " stored with --show-secrets, and replace it with weft config put", "config", "get", "--store", "shared");
        assertTrue(weft.ok("config", "get", "--store", "shared", "--show-secrets").out().contains(PSK));
    }

    @Test
    void configPutRefusesTheRedactedPlaceholderAndKeepsTheStoredKey() throws Exception {
        weft.shared.writeNetworkConfig(IPSEC);
        Path copy = Files.writeString(dir.resolve("net.json"), weft.ok("config", "get", "--store", "shared").out());
        weft.fails(1, "weft: Backend.PSK is \"<redacted>\", the placeholder weft config get prints instead of the key:"
                + " put the real PSK there (weft config get --show-secrets prints it), or remove it and give each"
                + " daemon --ipsec-psk-file FILE", "config", "put", "--store", "shared", copy.toString());
        assertEquals(IPSEC, weft.shared.readNetworkConfig());

        weft.stdin = "{\"Network\":\"10.5.0.0/16\",\"backend\":{\"type\":\"ipsec\",\"Psk\":\"<redacted>\"}}";
        weft.fails(1, "weft: Backend.Psk is \"<redacted>\", the placeholder weft config get prints instead of the key:"
                + " put the real PSK there (weft config get --show-secrets prints it), or remove it and give each"
                + " daemon --ipsec-psk-file FILE", "config", "put", "--store", "shared", "-");
        assertEquals(IPSEC, weft.shared.readNetworkConfig());

        weft.stdin = "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"ipsec\"}}";
        weft.ok("config", "put", "--store", "shared", "-");
        assertEquals(weft.stdin, weft.shared.readNetworkConfig(), "a config without PSK is stored (daemons use --ipsec-psk-file)");
    }

    @ParameterizedTest
    @ValueSource(strings = {"s3cret", "s3cret\n", "s3cret\r\n"})
    void theEtcdPasswordComesFromAFileWithoutItsTrailingNewline(String content) throws Exception {
        weft.shared.writeNetworkConfig(IPSEC);
        Path file = Files.writeString(dir.resolve("etcd-password"), content);
        weft.ok("leases", "list", "--store", "shared", "--etcd-username", "weft", "--etcd-password-file",
                file.toString());
        assertEquals("s3cret", weft.lastOptions.password());
        assertEquals("weft", weft.lastOptions.username());
    }

    @Test
    void theEtcdPasswordComesFromTheEnvironmentOrAFileNamedThere() throws Exception {
        weft.shared.writeNetworkConfig(IPSEC);
        weft.env.put("WEFT_ETCD_PASSWORD", "from-env");
        weft.ok("config", "get", "--store", "shared");
        assertEquals("from-env", weft.lastOptions.password());
        weft.env.clear();
        Path file = Files.writeString(dir.resolve("etcd-password"), "from-file\n");
        weft.env.put("WEFT_ETCD_PASSWORD_FILE", file.toString());
        weft.ok("config", "get", "--store", "shared");
        assertEquals("from-file", weft.lastOptions.password());
        weft.env.clear();
        weft.ok("config", "get", "--store", "shared");
        assertNull(weft.lastOptions.password());
        assertTrue(weft.ok("daemon", "--help").out().contains("--etcd-password-file=FILE"));
    }

    @Test
    void passwordFileErrorsAreOneLine() throws Exception {
        Path missing = dir.resolve("none");
        weft.fails(1, "weft: etcd-password-file " + missing + " does not exist: give the path of a file holding the"
                + " etcd password", "leases", "list", "--store", "shared", "--etcd-password-file", missing.toString());
        weft.fails(1, "weft: etcd-password-file " + dir + " cannot be read (Is a directory): give a file this user can"
                + " read, holding the etcd password", "config", "get", "--store", "shared", "--etcd-password-file",
                dir.toString());
        Path empty = Files.writeString(dir.resolve("empty"), "\n");
        weft.fails(1, "weft: etcd-password-file " + empty + " is empty: put the etcd password in it",
                "config", "get", "--store", "shared", "--etcd-password-file", empty.toString());
        Path file = Files.writeString(dir.resolve("pw"), "pw");
        weft.fails(2, "weft: --etcd-password and --etcd-password-file are both given (on the command line or as"
                + " WEFT_ETCD_PASSWORD and WEFT_ETCD_PASSWORD_FILE): give one (see 'weft config get --help')",
                "config", "get", "--store", "shared", "--etcd-password", "x", "--etcd-password-file", file.toString());
        weft.env.put("WEFT_ETCD_PASSWORD", "x");
        CliHarness.Result r = weft.run("daemon", "--store", "shared", "--etcd-password-file", file.toString());
        assertEquals(2, r.code(), "the daemon takes the same flags: " + r.err());
        weft.env.clear();
        r = weft.run("daemon", "--store", "shared", "--etcd-password-file", missing.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: etcd-password-file " + missing + " does not exist"), r.err());
    }
}
