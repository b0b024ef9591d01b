package io.weft.backend.vxlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.config.LeaseJson;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.Ipv4;
import io.weft.linux.Link;
import io.weft.linux.MacAddress;
import io.weft.linux.VxlanSettings;
import org.junit.jupiter.api.Test;

/** The lease value byte for byte as flanneld writes it, the stable VTEP MAC, and when an existing device will do. */
class VxlanLeaseTest {
    @Test
    void theLeaseValueIsFlanneldsByteForByte() {
        assertEquals("{\"PublicIP\":\"198.18.0.1\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
                + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:2a:7f:00:10:01\"}}",
                LeaseJson.encode(new LeaseAttrs("198.18.0.1", null, "vxlan",
                        VxlanBackend.backendData(1, "0e:2a:7f:00:10:01"))));
    }

    @Test
    void theVtepMacIsTheSameEveryTimeForAHostAndVniAndLocallyAdministeredUnicast() {
        MacAddress a = VtepMac.derive("198.18.0.1", 1);
        assertEquals(a, VtepMac.derive("198.18.0.1", 1));
        assertNotEquals(a, VtepMac.derive("198.18.0.2", 1));
        assertNotEquals(a, VtepMac.derive("198.18.0.1", 2));
        for (int i = 1; i < 200; i++) {
            assertTrue(VtepMac.derive("198.18.0." + i, 1).isLocalUnicast());
        }
    }

    @Test
    void anExistingDeviceIsAdoptedUnlessASettingDiffersAsFlanneldChecks() {
        VxlanSettings want = new VxlanSettings(1, Ipv4.parse("t", "198.18.0.1"), 3, 0, false, false);
        Link same = new Link(9, "flannel.1", "vxlan", 1450, MacAddress.parse("t", "0e:00:00:00:00:01"), true,
                new VxlanSettings(1, Ipv4.parse("t", "198.18.0.1"), 3, 8472, false, false));
        assertEquals("", VxlanDevice.mismatch(same, want));
        assertEquals("VNI 2, not 1", VxlanDevice.mismatch(new Link(9, "flannel.1", "vxlan", 1450, null, true,
                new VxlanSettings(2, Ipv4.parse("t", "198.18.0.1"), 3, 8472, false, false)), want));
        assertEquals("port 4789, not 8472", VxlanDevice.mismatch(new Link(9, "flannel.1", "vxlan", 1450, null, true,
                new VxlanSettings(1, Ipv4.parse("t", "198.18.0.1"), 3, 4789, false, false)), want));
        assertEquals("local 198.18.0.9, not 198.18.0.1", VxlanDevice.mismatch(new Link(9, "flannel.1", "vxlan", 1450,
                null, true, new VxlanSettings(1, Ipv4.parse("t", "198.18.0.9"), 3, 8472, false, false)), want));
        assertEquals("kind veth, not vxlan", VxlanDevice.mismatch(new Link(9, "flannel.1", "veth", 1500, null, true,
                null), want));
    }
}
