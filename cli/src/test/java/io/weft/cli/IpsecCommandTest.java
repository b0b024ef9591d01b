package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Base64;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft ipsec sa}: its output forms and its refusals, against the in-memory store. */
class IpsecCommandTest {
    private static final String PSK = "0123456789abcdef0123456789abcdef-cli";
    private final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    private Path config(String backend) throws Exception {
        Path file = dir.resolve("net.json");
        Files.writeString(file, "{\"Network\":\"100.96.0.0/16\",\"Backend\":" + backend + "}");
        return file;
    }

    private CliHarness.Result run(String... args) {
        return weft.run(args);
    }

    @Test
    void refusesWithoutAReadableKeyFile() throws Exception {
        Path net = config("{\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\"}");
        CliHarness.Result r = run("ipsec", "sa", "--wireshark", "--store", "memory", "--net-config-path", net.toString(),
                "--ipsec-state-dir", dir.resolve("state").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: ipsec key file " + dir.resolve("state/ipsec-x25519.key")
                + " does not exist"), r.err());
        assertEquals("", r.out());
    }

    @Test
    void readsThePskFromTheDaemonsPskFileWhenTheConfigHasNone() throws Exception {
        Path state = writeState(PSK);
        Path psk = Files.writeString(dir.resolve("ipsec.psk"), PSK + "\n");
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("r--------"));
        Path net = config("{\"Type\":\"ipsec\"}");
        CliHarness.Result r = run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString(),
                "--ipsec-state-dir", state.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: Backend.PSK is missing and no --ipsec-psk-file was given"), r.err());

        CliHarness.Result table = run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString(),
                "--ipsec-state-dir", state.toString(), "--ipsec-psk-file", psk.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().contains("0x69000001"), table.out());

        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-rw----"));
        r = run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString(), "--ipsec-state-dir",
                state.toString(), "--ipsec-psk-file", psk.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: ipsec PSK file " + psk + " has mode 0660"), r.err());
    }

    @Test
    void refusesOtherBackends() throws Exception {
        Path net = config("{\"Type\":\"udp\"}");
        CliHarness.Result r = run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString());
        assertEquals(1, r.code());
        assertEquals("weft: Backend.Type is \"udp\", not ipsec: this network has no SAs to show\n", r.err());
    }

    /** A state directory as the daemon leaves it: its key file and an SA list with one outbound SA. */
    private Path writeState(String psk) throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        X25519PrivateKeyParameters own = new X25519PrivateKeyParameters(new java.security.SecureRandom());
        X25519PrivateKeyParameters peer = new X25519PrivateKeyParameters(new java.security.SecureRandom());
        Path key = state.resolve("ipsec-x25519.key");
        Files.writeString(key, "# key\n" + Base64.getEncoder().encodeToString(own.getEncoded()) + "\n");
        Files.setPosixFilePermissions(key, PosixFilePermissions.fromString("rw-------"));
        java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
        sha.update("weft ipsec psk id".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        String pskId = java.util.HexFormat.of().formatHex(sha.digest(psk.getBytes(java.nio.charset.StandardCharsets.UTF_8)), 0, 8);
        String peerKey = Base64.getEncoder().encodeToString(peer.generatePublicKey().getEncoded());
        Files.writeString(state.resolve("ipsec-sas.json"), "{\"PublicKey\":\""
                + Base64.getEncoder().encodeToString(own.generatePublicKey().getEncoded()) + "\",\"KeyBits\":256,"
                + "\"PskId\":\"" + pskId + "\",\"SAs\":[{\"Direction\":\"out\",\"Src\":\"198.18.0.1\",\"Dst\":"
                + "\"198.18.0.2\",\"SPI\":\"0x69000001\",\"PeerPublicKey\":\"" + peerKey + "\",\"Current\":true}]}");
        return state;
    }

    @Test
    void printsTheTableAndWiresharkLines() throws Exception {
        Path state = writeState(PSK);
        Path net = config("{\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\"}");
        weft.env.put("WEFT_IPSEC_STATE_DIR", state.toString());

        CliHarness.Result table = run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString());
        assertEquals(0, table.code(), table.err());
        assertTrue(table.out().lines().skip(1).findFirst().orElseThrow()
                .matches("out +198\\.18\\.0\\.1 +198\\.18\\.0\\.2 +0x69000001 +current +AES-GCM-256/ICV16"), table.out());

        CliHarness.Result ws = run("ipsec", "sa", "--wireshark", "--store", "memory", "--net-config-path",
                net.toString());
        assertEquals(0, ws.code(), ws.err());
        assertTrue(ws.out().matches("\"IPv4\",\"198\\.18\\.0\\.1\",\"198\\.18\\.0\\.2\",\"0x69000001\",\"AES-GCM with 16"
                + " octet ICV \\[RFC4106\\]\",\"0x[0-9a-f]{72}\",\"NULL\",\"\"\\n"), ws.out());
    }
}
