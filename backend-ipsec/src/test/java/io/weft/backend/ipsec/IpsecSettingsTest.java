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
import java.util.Map;
import org.junit.jupiter.api.Test;
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
                ETH, Map.of());
        assertEquals(4500, s.port());
        assertEquals("weft0", s.device());
        assertEquals(256, s.keyBits());
        assertEquals(Duration.ofHours(1), s.rekey());
        assertEquals(Path.of("/var/lib/weft/ipsec-x25519.key"), s.keyFile());
        assertEquals(1438, s.mtu());
    }

    @Test
    void fieldsAndEnvironment() {
        IpsecSettings s = IpsecSettings.from(backend("{\"type\":\"ipsec\",\"psk\":\"" + TestKeys.PSK_TEXT
                + "\",\"port\":4600,\"KeyBits\":128,\"RekeySeconds\":20,\"StateDir\":\"/srv/weft\"}"), ETH,
                Map.of("WEFT_IPSEC_STATE_DIR", "/tmp/h1"));
        assertEquals(4600, s.port());
        assertEquals(128, s.keyBits());
        assertEquals(Duration.ofSeconds(20), s.rekey());
        assertEquals(Path.of("/tmp/h1"), s.stateDir());
        assertEquals(Path.of("/srv/weft"), IpsecSettings.stateDir(backend("{\"StateDir\":\"/srv/weft\"}"), Map.of()));
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
    })
    void errorsNameTheField(String json, String message) {
        WeftException e = assertThrows(WeftException.class, () -> IpsecSettings.from(backend(json), ETH, Map.of()));
        assertTrue(e.getMessage().contains(message.strip()), e.getMessage());
    }

    @Test
    void pskOfExactly32BytesIsAccepted() {
        assertEquals(32, Psk.of("0123456789abcdef0123456789abcdef").bytes().length);
        assertTrue(Psk.of(TestKeys.PSK_TEXT).toString().contains("redacted"));
    }

    @Test
    void tinyInterfaceMtuIsRefused() {
        WeftException e = assertThrows(WeftException.class, () -> IpsecSettings.from(
                backend("{\"PSK\":\"" + TestKeys.PSK_TEXT + "\"}"), new ExternalInterface("eth9", "198.18.0.2", 120),
                Map.of()));
        assertEquals("external interface eth9 has MTU 120, too small for the ipsec backend: it needs at least 132;"
                + " pick another interface with --iface", e.getMessage());
    }
}
