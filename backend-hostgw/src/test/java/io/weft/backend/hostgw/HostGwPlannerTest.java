package io.weft.backend.hostgw;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.config.LeaseJson;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.linux.PeerEntries;
import io.weft.linux.Route;
import io.weft.linux.RoutePlan;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A route per host-gw peer via its PublicIP, refusals for peers off this L2 subnet, and the lease format. */
class HostGwPlannerTest {
    private final HostGwPlanner planner = new HostGwPlanner(2, "eth0", List.of(Ipv4Subnet.parse("198.18.0.0/24")));

    private static Map<Ipv4Subnet, Lease> peer(String subnet, String publicIp, String type) {
        return Map.of(Ipv4Subnet.parse(subnet), new Lease(Ipv4Subnet.parse(subnet), LeaseAttrs.of(publicIp, type),
                Instant.EPOCH));
    }

    @Test
    void aPeerOnThisL2SubnetIsRoutedViaItsPublicIpOnTheExternalInterface() {
        RoutePlan plan = planner.plan(peer("100.96.3.0/24", "198.18.0.3", "host-gw"));
        assertEquals(Map.of(Ipv4Subnet.parse("100.96.3.0/24"), PeerEntries.route(Route.via(
                Ipv4Subnet.parse("100.96.3.0/24"), Ipv4.parse("t", "198.18.0.3"), 2, false))), plan.entries());
    }

    @Test
    void aPeerOnAnotherL2SubnetIsRefusedWithALineThatSaysToUseVxlan() {
        RoutePlan plan = planner.plan(peer("100.96.4.0/24", "203.0.113.4", "host-gw"));
        assertEquals(Map.of(), plan.entries());
        assertEquals(new RoutePlan.Refusal("refused: not on this L2 subnet", "refusing peer 100.96.4.0/24 at 203.0.113.4:"
                + " it is not on eth0's subnets [198.18.0.0/24], and host-gw only routes to hosts on the same L2 subnet;"
                + " use the vxlan backend (Backend.Type \"vxlan\", with DirectRouting true for the peers that do share"
                + " it)"), plan.refused().get(Ipv4Subnet.parse("100.96.4.0/24")));
    }

    @Test
    void aPeerOfAnotherTypeIsIgnored() {
        assertEquals(new RoutePlan.Refusal("ignored: backend vxlan", "ignoring peer 100.96.5.0/24 at 198.18.0.5: its lease"
                + " is for the vxlan backend, not host-gw"), planner.plan(peer("100.96.5.0/24", "198.18.0.5", "vxlan"))
                .refused().get(Ipv4Subnet.parse("100.96.5.0/24")));
    }

    @Test
    void theLeaseValueIsFlanneldsByteForByte() {
        assertEquals("{\"PublicIP\":\"198.18.0.1\",\"PublicIPv6\":null,\"BackendType\":\"host-gw\"}",
                LeaseJson.encode(new LeaseAttrs("198.18.0.1", null, "host-gw", null)));
    }
}
