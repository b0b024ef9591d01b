package io.weft.core.spi.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.BackendConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class ExternalInterfaceTest {
    private static final ExternalInterface ETH = new ExternalInterface("eth0", "198.18.0.2", 1500);

    private static BackendConfig backend(String json) {
        return NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":" + json + "}").backend();
    }

    @Test
    void withoutMtuTheInterfaceIsSizedAsItIs() {
        assertSame(ETH, ETH.sizedFor(backend("{\"Type\":\"udp\"}")));
    }

    @ParameterizedTest
    @CsvSource({"udp,1400", "host-gw,1500", "vxlan,1450", "ipsec,68"})
    void backendMtuIsTheUnderlayMtuEveryBackendSizesFor(String type, int mtu) {
        ExternalInterface sized = ETH.sizedFor(backend("{\"Type\":\"" + type + "\",\"mtu\":" + mtu + "}"));
        assertEquals(new ExternalInterface("eth0", "198.18.0.2", mtu), sized);
        assertEquals(1372, LeaseRequest.of("udp", 28).overlayMtu(ETH.sizedFor(backend("{\"MTU\":1400}"))),
                "the backend's overhead comes off Backend.MTU");
    }

    @Test
    void backendMtuLargerThanTheInterfaceIsRefusedInOneLine() {
        WeftException e = assertThrows(WeftException.class, () -> ETH.sizedFor(backend("{\"MTU\":1501}")));
        assertEquals("Backend.MTU 1501 is larger than external interface eth0's MTU 1500, which cannot carry such"
                + " packets: give at most 1500, or leave MTU out to use the interface's", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"MTU\":67}|Backend.MTU 67 is out of range: it must be from 68 to 65535",
        "{\"MTU\":\"1400\"}|Backend.MTU \"1400\" is not a whole number: write it as, for example, 1500"})
    void aBadBackendMtuNamesTheFieldAndTheFix(String json, String message) {
        assertEquals(message, assertThrows(WeftException.class, () -> ETH.sizedFor(backend(json))).getMessage());
    }
}
