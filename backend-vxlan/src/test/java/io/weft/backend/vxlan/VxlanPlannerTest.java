package io.weft.backend.vxlan;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.linux.FdbEntry;
import io.weft.linux.MacAddress;
import io.weft.linux.Neighbour;
import io.weft.linux.PeerEntries;
import io.weft.linux.Route;
import io.weft.linux.RoutePlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each peer's ARP, FDB and route entries, as flanneld's vxlan backend sets them, and the peers left out. */
class VxlanPlannerTest {
    private static final int DEV = 7;
    private static final int ETH0 = 2;
    private static final List<Ipv4Subnet> L2 = List.of(Ipv4Subnet.parse("198.18.0.0/24"));

    private static Lease lease(String subnet, String publicIp, String type, String backendData) throws Exception {
        return new Lease(Ipv4Subnet.parse(subnet), new LeaseAttrs(publicIp, null, type,
                backendData == null ? null : new ObjectMapper().readTree(backendData)), Instant.EPOCH);
    }

    private static Map<Ipv4Subnet, Lease> peers(Lease... leases) {
        return java.util.Arrays.stream(leases).collect(java.util.stream.Collectors.toMap(Lease::subnet, l -> l));
    }

    @Test
    void aVxlanPeerGetsArpFdbAndAnOnlinkRouteOnTheDevice() throws Exception {
        RoutePlan plan = new VxlanPlanner(() -> DEV, ETH0, false, L2).plan(peers(lease("100.96.3.0/24", "198.18.0.3",
                "vxlan", "{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:03\"}")));
        MacAddress mac = MacAddress.parse("t", "0e:00:00:00:00:03");
        int net = Ipv4.parse("t", "100.96.3.0");
        assertEquals(Map.of(Ipv4Subnet.parse("100.96.3.0/24"), new PeerEntries(
                List.of(Route.via(Ipv4Subnet.parse("100.96.3.0/24"), net, DEV, true)),
                List.of(Neighbour.permanent(DEV, net, mac)),
                List.of(FdbEntry.permanent(DEV, mac, Ipv4.parse("t", "198.18.0.3"))))), plan.entries());
        assertTrue(plan.refused().isEmpty());
    }

    @Test
    void directRoutingRoutesPlainlyToPeersOnThisL2SubnetOnly() throws Exception {
        RoutePlan plan = new VxlanPlanner(() -> DEV, ETH0, true, L2).plan(peers(
                lease("100.96.3.0/24", "198.18.0.3", "vxlan", "{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:03\"}"),
                lease("100.96.4.0/24", "203.0.113.4", "vxlan", "{\"VNI\":1,\"VtepMAC\":\"0e:00:00:00:00:04\"}")));
        assertEquals(PeerEntries.route(Route.via(Ipv4Subnet.parse("100.96.3.0/24"), Ipv4.parse("t", "198.18.0.3"), ETH0,
                false)), plan.entries().get(Ipv4Subnet.parse("100.96.3.0/24")));
        assertEquals(1, plan.entries().get(Ipv4Subnet.parse("100.96.4.0/24")).fdb().size(), "the far peer uses VXLAN");
    }

    @Test
    void peersOfAnotherTypeOrWithoutAVtepMacAreLeftOutWithTheReason() throws Exception {
        RoutePlan plan = new VxlanPlanner(() -> DEV, ETH0, false, L2).plan(peers(
                lease("100.96.5.0/24", "198.18.0.5", "udp", null),
                lease("100.96.6.0/24", "198.18.0.6", "vxlan", "{\"VNI\":1}"),
                lease("100.96.7.0/24", "198.18.0.7", "vxlan", "{\"vtepmac\":\"0e:00:00:00:00:07\"}")));
        assertEquals(new RoutePlan.Refusal("ignored: backend udp", "ignoring peer 100.96.5.0/24 at 198.18.0.5: its lease"
                + " is for the udp backend, not vxlan"), plan.refused().get(Ipv4Subnet.parse("100.96.5.0/24")));
        assertEquals(new RoutePlan.Refusal("ignored: no VtepMAC", "ignoring peer 100.96.6.0/24 at 198.18.0.6: its"
                + " BackendData {\"VNI\":1} has no VtepMAC: the peer must run the vxlan backend of weft or flanneld"),
                plan.refused().get(Ipv4Subnet.parse("100.96.6.0/24")));
        assertEquals(List.of(Ipv4Subnet.parse("100.96.7.0/24")), List.copyOf(plan.entries().keySet()),
                "Go's decoder matches VtepMAC ignoring case");
    }
}
