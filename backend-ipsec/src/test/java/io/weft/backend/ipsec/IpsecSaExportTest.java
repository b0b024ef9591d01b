package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IpsecSaExportTest {
    @TempDir
    Path dir;

    private final BackendConfig backend = IpsecSettingsTest.backend(
            "{\"Type\":\"ipsec\",\"PSK\":\"" + TestKeys.PSK_TEXT + "\",\"KeyBits\":128}");

    @Test
    void lineFormat() {
        assertEquals("\"IPv4\",\"198.18.0.1\",\"198.18.0.2\",\"0x69b2c3d4\",\"AES-GCM with 16 octet ICV [RFC4106]\","
                + "\"0xfeffe9928665731c6d6a8f9467308308cafebabe\",\"NULL\",\"\"",
                WiresharkEspSa.line("198.18.0.1", "198.18.0.2", EspCodecTest.KEY_128));
    }

    @Test
    void exportsKeysTheDataPathUses() {
        Map<String, String> env = Map.of("WEFT_IPSEC_STATE_DIR", dir.toString());
        X25519Keys own = KeyFile.loadOrCreate(dir.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        X25519Keys peer = X25519Keys.generate(TestKeys.seeded(2));
        SaListFile.write(dir.resolve(SaListFile.FILE_NAME), new SaListFile.Contents(own.publicKeyBase64(), 128,
                SaListFile.pskId(TestKeys.PSK), List.of(
                        new SaRecord(true, "198.18.0.1", "198.18.0.2", 0x69000001, peer.publicKeyBase64(), true),
                        new SaRecord(false, "198.18.0.2", "198.18.0.1", 0x69000002, peer.publicKeyBase64(), true))));
        List<String> lines = IpsecSaExport.wireshark(backend, env);
        PeerKeys keys = new PeerKeys(new SaKeyDerivation(TestKeys.PSK, 128), own, peer.publicKey(), "p",
                AeadKind.JDK, TestKeys.seeded(3));
        assertEquals(List.of(
                WiresharkEspSa.line("198.18.0.1", "198.18.0.2", keys.outboundKey(0x69000001)),
                WiresharkEspSa.line("198.18.0.2", "198.18.0.1", keys.inboundKey(0x69000002))), lines);
        List<String> table = IpsecSaExport.table(backend, env);
        assertEquals(3, table.size());
        assertTrue(table.get(1).matches("out +198\\.18\\.0\\.1 +198\\.18\\.0\\.2 +0x69000001 +current +AES-GCM-128/ICV16"),
                table.get(1));
        assertEquals(dir.resolve("ipsec-x25519.key"), IpsecSaExport.keyFile(backend, env));
    }

    @Test
    void refusesWithoutAKeyFile() {
        WeftException e = assertThrows(WeftException.class,
                () -> IpsecSaExport.wireshark(backend, Map.of("WEFT_IPSEC_STATE_DIR", dir.toString())));
        assertTrue(e.getMessage().startsWith("ipsec key file " + dir.resolve("ipsec-x25519.key") + " does not exist"),
                e.getMessage());
    }

    @Test
    void refusesWhenThePskDiffersFromTheDaemons() {
        X25519Keys own = KeyFile.loadOrCreate(dir.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        SaListFile.write(dir.resolve(SaListFile.FILE_NAME), new SaListFile.Contents(own.publicKeyBase64(), 128,
                SaListFile.pskId(Psk.of("some-other-psk-some-other-psk-some-other")), List.of()));
        WeftException e = assertThrows(WeftException.class,
                () -> IpsecSaExport.wireshark(backend, Map.of("WEFT_IPSEC_STATE_DIR", dir.toString())));
        assertEquals("Backend.PSK in the network config differs from the PSK the running daemon uses: restart the"
                + " daemon so both agree, then run this again", e.getMessage());
    }

    @Test
    void refusesOtherBackends() {
        WeftException e = assertThrows(WeftException.class,
                () -> IpsecSaExport.table(BackendConfig.ofType("udp"), Map.of()));
        assertEquals("Backend.Type is \"udp\", not ipsec: this network has no SAs to show", e.getMessage());
    }
}
