package io.weft.backend.hostgw;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.linux.PeerEntries;
import io.weft.linux.Route;
import io.weft.linux.RoutePlan;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * host-gw's peer plan: a route to each peer's subnet via its PublicIP on the external interface, for peers whose
 * PublicIP lies in one of the interface's subnets (on this L2 segment); other peers are refused with a line that
 * says to use vxlan, and peers of another backend type are ignored. Pure; immutable.
 */
final class HostGwPlanner implements RoutePlan.Planner {
    private final int external;
    private final String externalName;
    private final List<Ipv4Subnet> externalSubnets;

    HostGwPlanner(int external, String externalName, List<Ipv4Subnet> externalSubnets) {
        this.external = external;
        this.externalName = externalName;
        this.externalSubnets = List.copyOf(externalSubnets);
    }

    @Override
    public RoutePlan plan(Map<Ipv4Subnet, Lease> peers) {
        Map<Ipv4Subnet, PeerEntries> entries = new HashMap<>();
        Map<Ipv4Subnet, RoutePlan.Refusal> refused = new HashMap<>();
        for (Lease peer : peers.values()) {
            String type = peer.attrs().backendType();
            String publicIp = peer.attrs().publicIp();
            if (!type.equals(HostGwBackend.TYPE)) {
                refused.put(peer.subnet(), new RoutePlan.Refusal("ignored: backend " + type, "ignoring peer "
                        + peer.subnet() + " at " + publicIp + ": its lease is for the " + type + " backend, not host-gw"));
                continue;
            }
            int gateway = Ipv4.parse("PublicIP", publicIp);
            if (externalSubnets.stream().noneMatch(s -> s.contains(gateway))) {
                refused.put(peer.subnet(), new RoutePlan.Refusal("refused: not on this L2 subnet", "refusing peer "
                        + peer.subnet() + " at " + publicIp + ": it is not on " + externalName + "'s subnets "
                        + externalSubnets + ", and host-gw only routes to hosts on the same L2 subnet; use the vxlan"
                        + " backend (Backend.Type \"vxlan\", with DirectRouting true for the peers that do share it)"));
                continue;
            }
            entries.put(peer.subnet(), PeerEntries.route(Route.via(peer.subnet(), gateway, external, false)));
        }
        return new RoutePlan(entries, refused);
    }
}
