package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.ExternalInterface;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class UdpSettingsTest {
    private static final ExternalInterface ETH = new ExternalInterface("eth0", "198.18.0.1", 1500);

    private static BackendConfig backend(String json) throws Exception {
        return new BackendConfig("udp", (ObjectNode) new ObjectMapper().readTree(json));
    }

    @Test
    void defaults() throws Exception {
        assertEquals(new UdpSettings(8285, "weft0"), UdpSettings.from(backend("{\"Type\":\"udp\"}")));
        assertEquals(1472, UdpBackend.LEASE_REQUEST.overlayMtu(ETH));
    }

    @Test
    void fieldsIgnoreCase() throws Exception {
        assertEquals(new UdpSettings(9000, "flannel0"), UdpSettings.from(
                backend("{\"Type\":\"udp\",\"port\":9000,\"DEVICE\":\"flannel0\"}")));
        assertEquals(8972, UdpBackend.LEASE_REQUEST.overlayMtu(new ExternalInterface("eth0", "198.18.0.1", 9000)));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "{\"Port\":0}|Backend.Port 0 is out of range: it must be from 1 to 65535",
            "{\"Port\":\"x\"}|Backend.Port \"x\" is not a whole number: write it as, for example, 8285",
            "{\"Device\":7}|Backend.Device 7 is not a string: put it in double quotes",
            "{\"Device\":\"\"}|Backend.Device \"\" is not a usable device name: use 1 to 15 letters, digits, '_', '.' or '-', such as weft0",
            "{\"Device\":\"averyveryverylong0\"}|Backend.Device \"averyveryverylong0\" is not a usable device name: use 1 to 15 letters, digits, '_', '.' or '-', such as weft0",
            "{\"Device\":\"../x\"}|Backend.Device \"../x\" is not a usable device name: use 1 to 15 letters, digits, '_', '.' or '-', such as weft0",
            "{\"Device\":\"..\"}|Backend.Device \"..\" is not a usable device name: use 1 to 15 letters, digits, '_', '.' or '-', such as weft0",
    })
    void badFieldsNameTheFieldAndTheFix(String json, String message) throws Exception {
        WeftException e = assertThrows(WeftException.class, () -> UdpSettings.from(backend(json)));
        assertEquals(message, e.getMessage());
    }

    @Test
    void tinyExternalMtuIsRefused() throws Exception {
        WeftException e = assertThrows(WeftException.class, () -> UdpBackend.LEASE_REQUEST.overlayMtu(
                new ExternalInterface("tun9", "198.18.0.1", 90)));
        assertEquals("external interface tun9 has MTU 90, too small for the udp backend: its overlay MTU would be 62"
                + " (28 bytes of encapsulation), below the minimum 68; pick another interface with --iface",
                e.getMessage());
    }

    @Test
    void providerIsFoundByName() {
        assertEquals(1, ServiceLoader.load(BackendProvider.class).stream()
                .filter(p -> p.get().name().equals("udp")).count());
    }

    @Test
    void queuesAndOffloadsComeFromTheBackendSectionWithDefaultsAndNamedErrors() {
        ObjectNode fields = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance.objectNode()
                .put("Type", "udp");
        BackendConfig plain = new BackendConfig("udp", fields);
        assertEquals(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors())), UdpDataPath.queues(plain));
        assertEquals(true, UdpDataPath.offloads(plain));
        BackendConfig set = new BackendConfig("udp",
                fields.deepCopy().put("Queues", 3).put("Offloads", false));
        assertEquals(3, UdpDataPath.queues(set));
        assertEquals(false, UdpDataPath.offloads(set));
        WeftException tooMany = assertThrows(WeftException.class, () -> UdpDataPath.queues(
                new BackendConfig("udp", fields.deepCopy().put("Queues", 17))));
        assertEquals("Backend.Queues 17 is out of range: it must be from 1 to 16", tooMany.getMessage());
        WeftException notBoolean = assertThrows(WeftException.class, () -> UdpDataPath.offloads(
                new BackendConfig("udp", fields.deepCopy().put("Offloads", "off"))));
        assertEquals("Backend.Offloads \"off\" is not true or false: write it without quotes, for example true",
                notBoolean.getMessage());
    }
}
