package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.testing.HostRequirements.Need;
import io.weft.linux.testing.Netns;
import io.weft.linux.testing.NetnsExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link Rtnetlink} against the kernel, in a network namespace this test creates (its underlay a veth pair, as
 * some kernels lack the dummy type) and always deletes: the netlink socket lives in a child JVM inside it
 * ({@link RtnetlinkProbe}), and iproute2 reads back what it did. Needs root and iproute2.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class RtnetlinkNetnsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    final NetnsExtension namespace = new NetnsExtension("weft-rtnl", Need.root(), Need.iproute2());

    @BeforeEach
    void addUnderlay() throws Exception {
        namespace.get().addVethPair("veth0", "veth1", "198.18.0.1/24");
    }

    private String ip(String... args) throws Exception {
        return namespace.get().ip(args);
    }

    private JsonNode json(String... args) throws Exception {
        String[] command = new String[args.length + 1];
        command[0] = "-j";
        System.arraycopy(args, 0, command, 1, args.length);
        return JSON.readTree(ip(command));
    }

    private Map<String, String> probe(String mode) throws Exception {
        return namespace.get().probe(RtnetlinkProbe.class, 60, mode);
    }

    @Test
    void createsAVxlanDeviceAndItsEntriesAsIproute2ShowsThem() throws Exception {
        assertEquals("true", probe("create").get("done"));

        JsonNode link = json("-d", "link", "show", "flannel.1").get(0);
        assertEquals(1400, link.get("mtu").asInt());
        assertEquals("0e:00:00:00:00:01", link.get("address").asText());
        assertTrue(link.get("flags").toString().contains("\"UP\""), link.toString());
        JsonNode vxlan = link.get("linkinfo").get("info_data");
        assertEquals(1, vxlan.get("id").asInt());
        assertEquals("198.18.0.1", vxlan.get("local").asText());
        assertEquals("veth0", vxlan.get("link").asText());
        assertEquals(8472, vxlan.get("port").asInt());
        assertEquals(false, vxlan.get("learning").asBoolean());

        assertEquals("100.96.1.0", json("-4", "addr", "show", "dev", "flannel.1").get(0).get("addr_info").get(0)
                .get("local").asText());
        JsonNode neighbour = json("neigh", "show", "dev", "flannel.1").get(0);
        assertEquals("100.96.3.0", neighbour.get("dst").asText());
        assertEquals("0e:00:00:00:00:03", neighbour.get("lladdr").asText());
        assertEquals("[\"PERMANENT\"]", neighbour.get("state").toString());
        JsonNode fdb = json("link", "show", "flannel.1").get(0); // the device is still there for bridge fdb
        assertEquals("flannel.1", fdb.get("ifname").asText());
        String bridge = Netns.run("bridge", "-n", namespace.get().name(), "fdb", "show", "dev", "flannel.1");
        assertTrue(bridge.contains("0e:00:00:00:00:03 dst 198.18.0.3 self permanent"), bridge);
        assertEquals(1, bridge.lines().filter(l -> l.contains("0e:00:00:00:00:03")).count(), "append kept one: " + bridge);
        String routes = ip("route", "show");
        assertTrue(routes.contains("100.96.3.0/24 via 100.96.3.0 dev flannel.1 onlink"), routes);
        assertTrue(routes.contains("100.96.4.0/24 via 198.18.0.4 dev veth0"), routes);

        Map<String, String> listed = probe("list");
        String veth = listed.get("veth");
        assertTrue(listed.get("link").contains("vxlan=VxlanSettings[vni=1, local=" + io.weft.core.model.Ipv4.parse("t", "198.18.0.1") + ", underlay=" + veth
                + ", port=8472, learning=false, gbp=false]"), listed.get("link"));
        assertTrue(listed.get("link").contains("mtu=1400, mac=0e:00:00:00:00:01, up=true"), listed.get("link"));
        assertTrue(listed.get("addresses").startsWith("[100.96.1.0/32 on interface "), listed.get("addresses"));
        assertEquals("[100.96.3.0/24 via 100.96.3.0 dev #" + index(listed) + " onlink, 100.96.4.0/24 via 198.18.0.4 dev #"
                + veth + "]", listed.get("routes"));
        assertEquals("[100.96.3.0 lladdr 0e:00:00:00:00:03 dev #" + index(listed) + " permanent]", listed.get("neighbours"));
        assertTrue(listed.get("fdb").contains("0e:00:00:00:00:03 dev #" + index(listed) + " dst 198.18.0.3 self permanent"),
                listed.get("fdb"));

        Map<String, String> deleted = probe("delete");
        for (String kind : new String[] {"route", "direct", "neighbour", "fdb", "address", "link"}) {
            assertEquals("true", deleted.get(kind + "1"), kind + " deleted: " + deleted);
            assertEquals("false", deleted.get(kind + "2"), kind + " was gone the second time: " + deleted);
        }
        assertEquals("true", deleted.get("gone"));
        assertTrue(!ip("link", "show").contains("flannel.1"));
        assertTrue(!ip("route", "show").contains("100.96."));
    }

    private static String index(Map<String, String> listed) {
        return listed.get("link").replaceAll("^Link\\[index=(\\d+),.*", "$1");
    }

    @Test
    void refusalsNameTheObjectTheErrnoAndTheKernelsText() throws Exception {
        Map<String, String> r = probe("errors");
        assertEquals("create vxlan device flannel.9 (VNI 9, local 198.18.0.1, port 0) failed: EEXIST (errno 17, it"
                + " exists already): remove the device of that name, or check the kernel has the vxlan module",
                r.get("exists"));
        assertEquals("replace route 100.96.3.0/24 via 100.96.9.9 dev flannel.9 failed: ENETUNREACH (errno 101, network"
                + " is unreachable) (kernel: Nexthop has invalid gateway): check the gateway is on a subnet of the device"
                + " (or the route is onlink) and the device is up", r.get("unreachable"));
        assertEquals("add route 100.96.3.0/24 via 100.96.3.0 dev flannel.9 onlink failed: EEXIST (errno 17, it exists"
                + " already): check the gateway is on a subnet of the device (or the route is onlink) and the device is up",
                r.get("duplicate"));
        assertTrue(r.get("mtu").startsWith("set MTU 10 on device flannel.9 failed: EINVAL (errno 22, invalid argument)"),
                r.get("mtu"));
        assertTrue(!ip("link", "show").contains("flannel.9"));
    }
}
