package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.spi.backend.ExternalInterface;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class IpsecSettingsTest {
    private static final ExternalInterface ETH = new ExternalInterface("eth0", "198.18.0.2", 1500);

    static BackendConfig backend(String json) {
        try {
            ObjectNode node = (ObjectNode) new ObjectMapper().readTree(json);
            return new BackendConfig("ipsec", node);
        } catch (Exception e) {
            throw new IllegalArgumentException(e);
        }
    }

    @Test
    void defaults() {
        IpsecSettings s = IpsecSettings.from(backend("{\"Type\":\"ipsec\",\"PSK\":\"" + TestKeys.PSK_TEXT + "\"}"),
                Optional.empty(), Optional.empty());
        assertEquals(IpsecSettings.PskOrigin.CONFIG, s.pskOrigin());
        assertEquals(4500, s.port());
        assertEquals("weft0", s.device());
        assertEquals(256, s.keyBits());
        assertEquals(Duration.ofHours(1), s.rekey());
        assertEquals(Path.of("/var/lib/weft/ipsec-x25519.key"), s.keyFile());
        assertEquals(1438, IpsecBackend.leaseRequest(X25519Keys.generate(TestKeys.seeded(1)), ETH.mtu())
                .overlayMtu(ETH));
    }

    @Test
    void fieldsAndTheHostsStateDirectory() {
        IpsecSettings s = IpsecSettings.from(backend("{\"type\":\"ipsec\",\"psk\":\"" + TestKeys.PSK_TEXT
                + "\",\"port\":4600,\"KeyBits\":128,\"RekeySeconds\":20,\"Queues\":3,\"StateDir\":\"/srv/weft\"}"),
                Optional.of(Path.of("/tmp/h1")), Optional.empty());
        assertEquals(4600, s.port());
        assertEquals(128, s.keyBits());
        assertEquals(Duration.ofSeconds(20), s.rekey());
        assertEquals(Path.of("/tmp/h1"), s.stateDir());
        assertEquals(3, s.queues());
        assertEquals(TestKeys.PSK, s.psk());
    }

    @Test
    void backendStateDirIsNotFollowedOnlyNamedForTheWarning() {
        BackendConfig withStateDir = backend("{\"PSK\":\"" + TestKeys.PSK_TEXT + "\",\"StateDir\":\"/tmp\"}");
        assertEquals(Path.of("/var/lib/weft"), IpsecSettings.from(withStateDir, Optional.empty(), Optional.empty())
                .stateDir(), "an etcd writer cannot move the key file");
        assertEquals(Path.of("/var/lib/weft"), IpsecSettings.stateDir(Optional.empty()));
        assertEquals(Optional.of("/tmp"), IpsecSettings.ignoredStateDir(withStateDir));
        assertEquals(Optional.of("42"), IpsecSettings.ignoredStateDir(backend("{\"statedir\":42}")),
                "a config that names one in any form still runs, with the warning");
        assertEquals(Optional.empty(), IpsecSettings.ignoredStateDir(backend("{\"PSK\":\"x\"}")));
    }

    @Test
    void theHostsPskFileWinsOverBackendPsk(@TempDir Path dir) throws Exception {
        Path file = PskFileTest.write(dir.resolve("psk"), "file-psk-0123456789abcdef0123456789abcdef\n", "rw-------");
        IpsecSettings s = IpsecSettings.from(backend("{\"PSK\":\"" + TestKeys.PSK_TEXT + "\"}"), Optional.empty(),
                Optional.of(file));
        assertEquals(Psk.of("file-psk-0123456789abcdef0123456789abcdef"), s.psk());
        assertEquals(IpsecSettings.PskOrigin.FILE_OVER_CONFIG, s.pskOrigin());

        IpsecSettings fileOnly = IpsecSettings.from(backend("{\"Type\":\"ipsec\"}"), Optional.empty(), Optional.of(file));
        assertEquals(s.psk(), fileOnly.psk());
        assertEquals(IpsecSettings.PskOrigin.FILE, fileOnly.pskOrigin());

        IpsecSettings badConfigPsk = IpsecSettings.from(backend("{\"PSK\":42}"), Optional.empty(), Optional.of(file));
        assertEquals(s.psk(), badConfigPsk.psk(), "the config's value is not read when the file wins");
    }

    @Test
    void withoutPskAndWithoutAFileTheErrorNamesBoth() {
        WeftException e = assertThrows(WeftException.class, () -> IpsecSettings.from(backend("{\"Type\":\"ipsec\"}"),
                Optional.empty(), Optional.empty()));
        assertEquals("Backend.PSK is missing and no --ipsec-psk-file was given: the ipsec backend needs a pre-shared"
                + " key of at least 32 bytes; put one in a file of mode 0600 (e.g. 'openssl rand -base64 32 >"
                + " /etc/weft/ipsec.psk') and give it to every daemon with --ipsec-psk-file FILE, or set Backend.PSK in"
                + " the network config", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"Type\":\"ipsec\"}                                    | Backend.PSK is missing",
        "{\"Type\":\"ipsec\",\"PSK\":\"\"}                       | Backend.PSK is missing",
        "{\"Type\":\"ipsec\",\"PSK\":\"short\"}                  | Backend.PSK is 5 bytes, too short: it must be at least 32 bytes",
        "{\"Type\":\"ipsec\",\"PSK\":\"0123456789abcdef0123456789abcde\"} | Backend.PSK is 31 bytes, too short",
        "{\"Type\":\"ipsec\",\"PSK\":42}                         | Backend.PSK 42 is not a string",
        "{\"PSK\":\"0123456789abcdef0123456789abcdef\",\"Port\":0}   | Backend.Port 0 is out of range",
        "{\"PSK\":\"0123456789abcdef0123456789abcdef\",\"KeyBits\":192} | Backend.KeyBits 192 is not supported: use 128 or 256",
        "{\"PSK\":\"0123456789abcdef0123456789abcdef\",\"RekeySeconds\":7200} | Backend.RekeySeconds 7200 is out of range: it must be from 10 to 3600",
        "{\"PSK\":\"0123456789abcdef0123456789abcdef\",\"Device\":\"bad/name\"} | Backend.Device \"bad/name\" is not a usable device name",
        "{\"PSK\":\"0123456789abcdef0123456789abcdef\",\"Queues\":5} | Backend.Queues 5 is out of range for ipsec: it must be from 1 to 4",
        "{\"PSK\":\"0123456789abcdef0123456789abcdef\",\"Queues\":0} | Backend.Queues 0 is out of range: it must be from 1 to 16",
    })
    void errorsNameTheField(String json, String message) {
        WeftException e = assertThrows(WeftException.class, () -> IpsecSettings.from(backend(json), Optional.empty(),
                Optional.empty()));
        assertTrue(e.getMessage().contains(message.strip()), e.getMessage());
    }

    @Test
    void pskOfExactly32BytesIsAccepted() {
        assertEquals(32, Psk.of("0123456789abcdef0123456789abcdef").bytes().length);
        assertTrue(Psk.of(TestKeys.PSK_TEXT).toString().contains("redacted"));
    }

    @Test
    void tinyInterfaceMtuIsRefused() {
        // The SPI's one minimum-MTU check names the overlay MTU this interface would give, exactly.
        ExternalInterface tiny = new ExternalInterface("eth9", "198.18.0.2", 120);
        WeftException e = assertThrows(WeftException.class, () -> IpsecBackend.leaseRequest(
                X25519Keys.generate(TestKeys.seeded(1)), tiny.mtu()).overlayMtu(tiny));
        assertEquals("external interface eth9 has MTU 120, too small for the ipsec backend: its overlay MTU would be"
                + " 58 (62 bytes of encapsulation), below the minimum 68; pick another interface with --iface",
                e.getMessage());
        ExternalInterface enough = new ExternalInterface("eth9", "198.18.0.2", Esp.outerMtuFor(68));
        assertEquals(70, IpsecBackend.leaseRequest(X25519Keys.generate(TestKeys.seeded(1)), enough.mtu())
                .overlayMtu(enough), "132, the smallest external MTU that works, gives 70 (68 needs padding)");
    }
}
