package io.weft.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.weft.core.WeftException;
import io.weft.core.model.LeaseAttrs;
import org.junit.jupiter.api.Test;

class LeaseJsonTest {

    @Test
    void encodesFlannelsFormatExactly() {
        // flanneld's LeaseAttrs: BackendData is a json.RawMessage with omitempty, so udp and host-gw leases lack it.
        LeaseAttrs attrs = new LeaseAttrs("198.18.0.2", null, "udp", null);
        assertEquals("{\"PublicIP\":\"198.18.0.2\",\"PublicIPv6\":null,\"BackendType\":\"udp\"}",
                LeaseJson.encode(attrs));
        assertEquals("{\"PublicIP\":\"198.18.0.2\",\"PublicIPv6\":null,\"BackendType\":\"host-gw\"}",
                LeaseJson.encode(LeaseAttrs.of("198.18.0.2", "host-gw")));
        assertEquals("{\"PublicIP\":\"198.18.0.2\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
                + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:2a:7f:00:10:01\"}}", LeaseJson.encode(new LeaseAttrs(
                "198.18.0.2", null, "vxlan", JsonNodeFactory.instance.objectNode().put("VNI", 1)
                        .put("VtepMAC", "0e:2a:7f:00:10:01"))));
        LeaseAttrs withData = new LeaseAttrs("198.18.0.2", null, "ipsec",
                JsonNodeFactory.instance.objectNode().put("PublicKey", "AAAA"));
        assertEquals("{\"PublicIP\":\"198.18.0.2\",\"PublicIPv6\":null,\"BackendType\":\"ipsec\","
                + "\"BackendData\":{\"PublicKey\":\"AAAA\"}}", LeaseJson.encode(withData));
    }

    @Test
    void decodesWhatFlannelWritesIgnoringCaseAndUnknownKeys() {
        // flannel's Go encoder omits empty BackendType/BackendData and may add BackendV6Data.
        LeaseAttrs a = LeaseJson.decode("k", "{\"PublicIP\":\"198.18.0.9\",\"BackendType\":\"udp\","
                + "\"BackendData\":{\"VNI\":1},\"BackendV6Data\":null}");
        assertEquals("198.18.0.9", a.publicIp());
        assertEquals("udp", a.backendType());
        assertEquals(1, a.backendData().get("VNI").intValue());
        assertEquals("198.18.0.9", LeaseJson.decode("k", "{\"publicip\":\"198.18.0.9\"}").publicIp());
    }

    @Test
    void roundTrips() {
        LeaseAttrs attrs = new LeaseAttrs("198.18.0.2", "fd00::2", "udp",
                JsonNodeFactory.instance.objectNode().put("x", 1));
        assertEquals(attrs, LeaseJson.decode("k", LeaseJson.encode(attrs)));
    }

    @Test
    void rejectsValuesThatAreNotLeases() {
        assertEquals("lease 10.5.1.0-24 has no PublicIP: {}",
                assertThrows(WeftException.class, () -> LeaseJson.decode("10.5.1.0-24", "{}")).getMessage());
        assertEquals("lease k is not a JSON object: 3",
                assertThrows(WeftException.class, () -> LeaseJson.decode("k", "3")).getMessage());
        assertEquals("PublicIP \"nope\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
                assertThrows(WeftException.class, () -> LeaseJson.decode("k", "{\"PublicIP\":\"nope\"}")).getMessage());
    }
}
