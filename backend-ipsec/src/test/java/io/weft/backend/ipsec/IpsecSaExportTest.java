package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.NetworkConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code weft ipsec sa} as the CLI reaches it: {@link IpsecBackendProvider#report}. */
class IpsecSaExportTest {
    @TempDir
    Path dir;

    private final IpsecBackendProvider provider = new IpsecBackendProvider();
    private final NetworkConfig config = config(IpsecSettingsTest.backend(
            "{\"Type\":\"ipsec\",\"PSK\":\"" + TestKeys.PSK_TEXT + "\",\"KeyBits\":128}"));

    private static NetworkConfig config(BackendConfig backend) {
        return new NetworkConfig(Ipv4Subnet.parse("100.96.0.0/16"), 24, Ipv4Subnet.parse("100.96.1.0/24"),
                Ipv4Subnet.parse("100.96.255.0/24"), backend);
    }

    private List<String> report(String format) {
        return provider.report("sa", format, config, Optional.of(dir));
    }

    @Test
    void lineFormat() {
        assertEquals("\"IPv4\",\"198.18.0.1\",\"198.18.0.2\",\"0x69b2c3d4\",\"AES-GCM with 16 octet ICV [RFC4106]\","
                + "\"0xfeffe9928665731c6d6a8f9467308308cafebabe\",\"NULL\",\"\"",
                WiresharkEspSa.line("198.18.0.1", "198.18.0.2", EspCodecTest.KEY_128));
    }

    @Test
    void exportsKeysTheDataPathUses() {
        X25519Keys own = KeyFile.loadOrCreate(dir.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        X25519Keys peer = X25519Keys.generate(TestKeys.seeded(2));
        SaListFile.write(dir.resolve(SaListFile.FILE_NAME), new SaListFile.Contents(own.publicKeyBase64(), 128,
                SaListFile.pskId(TestKeys.PSK), List.of(
                        new SaRecord(true, "198.18.0.1", "198.18.0.2", 0x69000001, peer.publicKeyBase64(), true),
                        new SaRecord(false, "198.18.0.2", "198.18.0.1", 0x69000002, peer.publicKeyBase64(), true))));
        List<String> lines = report("wireshark");
        PeerKeys keys = new PeerKeys(new SaKeyDerivation(TestKeys.PSK, 128), own, TestKeys.ALICE_IP,
                peer.publicKey(), TestKeys.BOB_IP, AeadKind.JDK, TestKeys.seeded(3));
        assertEquals(List.of(
                WiresharkEspSa.line("198.18.0.1", "198.18.0.2", keys.outboundKey(0x69000001)),
                WiresharkEspSa.line("198.18.0.2", "198.18.0.1", keys.inboundKey(0x69000002))), lines);
        List<String> table = report("table");
        assertEquals(3, table.size());
        assertTrue(table.get(1).matches("out +198\\.18\\.0\\.1 +198\\.18\\.0\\.2 +0x69000001 +current +AES-GCM-128/ICV16"),
                table.get(1));
    }

    @Test
    void refusesWithoutAKeyFile() {
        WeftException e = assertThrows(WeftException.class, () -> report("wireshark"));
        assertTrue(e.getMessage().startsWith("ipsec key file " + dir.resolve("ipsec-x25519.key") + " does not exist"),
                e.getMessage());
    }

    @Test
    void refusesWhenThePskDiffersFromTheDaemons() {
        X25519Keys own = KeyFile.loadOrCreate(dir.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        SaListFile.write(dir.resolve(SaListFile.FILE_NAME), new SaListFile.Contents(own.publicKeyBase64(), 128,
                SaListFile.pskId(Psk.of("some-other-psk-some-other-psk-some-other")), List.of()));
        WeftException e = assertThrows(WeftException.class, () -> report("wireshark"));
        assertEquals("Backend.PSK in the network config differs from the PSK the running daemon uses: give this"
                + " command the daemon's --ipsec-psk-file FILE (or restart the daemon so both agree), then run it"
                + " again", e.getMessage());
    }

    @Test
    void thePskFileWinsOverTheConfigAsForTheDaemon() throws Exception {
        String filePsk = "file-psk-0123456789abcdef0123456789abcdef";
        Path pskFile = PskFileTest.write(Files.createDirectories(dir.resolve("etc")).resolve("psk"), filePsk + "\n",
                "r--------");
        X25519Keys own = KeyFile.loadOrCreate(dir.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        X25519Keys peer = X25519Keys.generate(TestKeys.seeded(2));
        SaListFile.write(dir.resolve(SaListFile.FILE_NAME), new SaListFile.Contents(own.publicKeyBase64(), 128,
                SaListFile.pskId(Psk.of(filePsk)), List.of(
                        new SaRecord(true, "198.18.0.1", "198.18.0.2", 0x69000001, peer.publicKeyBase64(), true))));
        NetworkConfig noPsk = config(IpsecSettingsTest.backend("{\"Type\":\"ipsec\",\"KeyBits\":128}"));
        PeerKeys keys = new PeerKeys(new SaKeyDerivation(Psk.of(filePsk), 128), own, TestKeys.ALICE_IP,
                peer.publicKey(), TestKeys.BOB_IP, AeadKind.JDK, TestKeys.seeded(3));
        List<String> expected = List.of(WiresharkEspSa.line("198.18.0.1", "198.18.0.2", keys.outboundKey(0x69000001)));
        assertEquals(expected, provider.report("sa", "wireshark", noPsk, Optional.of(dir), Optional.of(pskFile)));
        assertEquals(expected, provider.report("sa", "wireshark", config, Optional.of(dir), Optional.of(pskFile)),
                "the config's other PSK is not used");

        WeftException e = assertThrows(WeftException.class, () -> report("wireshark"));
        assertTrue(e.getMessage().startsWith("Backend.PSK in the network config differs from the PSK the running"
                + " daemon uses: give this command the daemon's --ipsec-psk-file FILE"), e.getMessage());
        Path otherFile = PskFileTest.write(dir.resolve("etc/other"), TestKeys.PSK_TEXT, "rw-------");
        e = assertThrows(WeftException.class, () -> provider.report("sa", "table", noPsk, Optional.of(dir),
                Optional.of(otherFile)));
        assertTrue(e.getMessage().startsWith("the PSK in ipsec PSK file " + otherFile + " differs from the PSK the"
                + " running daemon uses"), e.getMessage());
        e = assertThrows(WeftException.class, () -> provider.report("sa", "table", noPsk, Optional.of(dir)));
        assertTrue(e.getMessage().startsWith("Backend.PSK is missing and no --ipsec-psk-file was given"),
                e.getMessage());
    }

    @Test
    void readsOnlyTheHostsStateDirectoryAndChecksIt() throws Exception {
        KeyFile.loadOrCreate(dir.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        NetworkConfig pointing = config(IpsecSettingsTest.backend("{\"Type\":\"ipsec\",\"PSK\":\""
                + TestKeys.PSK_TEXT + "\",\"StateDir\":\"" + dir + "\"}"));
        WeftException e = assertThrows(WeftException.class, () -> provider.report("sa", "table", pointing,
                Optional.empty()));
        assertTrue(!e.getMessage().contains(dir.toString()), "Backend.StateDir is not followed: " + e.getMessage());

        Files.setPosixFilePermissions(dir, java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        e = assertThrows(WeftException.class, () -> report("table"));
        assertTrue(e.getMessage().startsWith("ipsec state directory " + dir + " has mode 0777"), e.getMessage());
    }

    @Test
    void refusesOtherBackends() {
        WeftException e = assertThrows(WeftException.class,
                () -> provider.report("sa", "table", config(BackendConfig.ofType("udp")), Optional.empty()));
        assertEquals("Backend.Type is \"udp\", not ipsec: this network has no SAs to show", e.getMessage());
    }

    @Test
    void unknownReportsAndFormatsNameTheValidOnes() {
        WeftException e = assertThrows(WeftException.class, () -> provider.report("keys", "table", config,
                Optional.of(dir)));
        assertEquals("the ipsec backend has no \"keys\" report: it has sa", e.getMessage());
        e = assertThrows(WeftException.class, () -> report("yaml"));
        assertEquals("the ipsec sa report has no \"yaml\" format: use table, wireshark or json", e.getMessage());
    }

    @Test
    void jsonJudgesEachInboundSasSenderClockByTheAllowedSkew() throws Exception {
        X25519Keys own = KeyFile.loadOrCreate(dir.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        X25519Keys peer = X25519Keys.generate(TestKeys.seeded(2));
        long now = 0x69000000L + 1000;
        SaListFile.write(dir.resolve(SaListFile.FILE_NAME), new SaListFile.Contents(own.publicKeyBase64(), 128,
                SaListFile.pskId(TestKeys.PSK), List.of(
                        new SaRecord(true, "198.18.0.1", "198.18.0.2", 0x69000001, peer.publicKeyBase64(), true),
                        new SaRecord(false, "198.18.0.2", "198.18.0.1", (int) (now - 60), peer.publicKeyBase64(), true),
                        new SaRecord(false, "198.18.0.3", "198.18.0.1", (int) (now + 121), peer.publicKeyBase64(),
                                true))));
        List<String> json = IpsecSaExport.json(config.backend(), Optional.of(dir), Optional.empty(), now);
        com.fasterxml.jackson.databind.JsonNode root = new com.fasterxml.jackson.databind.ObjectMapper()
                .readTree(String.join("\n", json));
        assertEquals(120, root.get("clockSkewSeconds").asInt());
        com.fasterxml.jackson.databind.JsonNode sas = root.get("sas");
        assertEquals("out", sas.get(0).get("direction").asText());
        assertEquals("0x69000001", sas.get(0).get("spi").asText());
        assertTrue(!sas.get(0).has("senderClockOk"), "an outbound SA's SPI is this host's own clock");
        assertEquals(60, sas.get(1).get("ageSeconds").asLong());
        assertTrue(sas.get(1).get("senderClockOk").asBoolean(), "made a minute ago by a clock that agrees");
        assertEquals(-121, sas.get(2).get("ageSeconds").asLong());
        assertTrue(!sas.get(2).get("senderClockOk").asBoolean(), "121 s in the future: more than the skew");
        assertEquals(1, report("json").size(), "the provider offers the format");
    }
}
