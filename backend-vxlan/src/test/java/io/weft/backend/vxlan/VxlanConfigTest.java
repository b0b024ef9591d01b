package io.weft.backend.vxlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import java.util.OptionalInt;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** flanneld's vxlan fields and defaults, and the one-line errors for bad values. */
class VxlanConfigTest {
    private static VxlanConfig parse(String backendJson) throws Exception {
        return VxlanConfig.from(new BackendConfig("vxlan", (ObjectNode) new ObjectMapper().readTree(backendJson)));
    }

    @Test
    void defaultsAreFlanneldsAndTheDeviceIsFlannelDotVni() throws Exception {
        VxlanConfig c = parse("{\"Type\":\"vxlan\"}");
        assertEquals(new VxlanConfig(1, 0, false, false, false, OptionalInt.empty()), c);
        assertEquals("flannel.1", c.deviceName());
        assertEquals(1450, c.deviceMtu("eth0", 1500));
    }

    @Test
    void readsEveryFieldIgnoringCase() throws Exception {
        VxlanConfig c = parse("{\"Type\":\"vxlan\",\"vni\":42,\"Port\":4789,\"GBP\":true,\"learning\":true,"
                + "\"DirectRouting\":true,\"MTU\":1400}");
        assertEquals(new VxlanConfig(42, 4789, true, true, true, OptionalInt.of(1400)), c);
        assertEquals("flannel.42", c.deviceName());
        // As flanneld: MTU is what the device is sized for, the device gets 50 less.
        assertEquals(1350, c.deviceMtu("eth0", 1500));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"VNI\":16777216}|Backend.VNI 16777216 is out of range: it must be from 0 to 16777215",
        "{\"VNI\":\"1\"}|Backend.VNI \"1\" is not a whole number: write it as, for example, 1",
        "{\"Port\":70000}|Backend.Port 70000 is out of range: it must be from 0 to 65535",
        "{\"DirectRouting\":\"yes\"}|Backend.DirectRouting \"yes\" is not true or false: write it without quotes, for"
                + " example false",
        "{\"MTU\":100}|Backend.MTU 100 is out of range: it must be from 118 to 65535"})
    void badFieldsAreNamedWithTheFix(String json, String message) {
        WeftException e = assertThrows(WeftException.class, () -> parse(json));
        assertEquals(message, e.getMessage());
    }

    @Test
    void anMtuAboveTheExternalInterfacesIsRefused() throws Exception {
        WeftException e = assertThrows(WeftException.class, () -> parse("{\"MTU\":9000}").deviceMtu("eth0", 1500));
        assertEquals("Backend.MTU 9000 is larger than external interface eth0's MTU 1500, so VXLAN packets would not"
                + " fit: give at most 1500, or leave MTU out to use it", e.getMessage());
    }
}
