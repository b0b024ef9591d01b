package io.weft.backend.vxlan;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.linux.FdbEntry;
import io.weft.linux.MacAddress;
import io.weft.linux.Neighbour;
import io.weft.linux.PeerEntries;
import io.weft.linux.Route;
import io.weft.linux.RoutePlan;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.IntSupplier;

/**
 * vxlan's peer plan, flanneld's: for each vxlan peer an ARP entry (its subnet's network address → its VtepMAC),
 * an FDB entry (VtepMAC → its PublicIP) and a route to its subnet via its network address, onlink, on the device;
 * with DirectRouting, a peer on this host's L2 subnet gets a plain route via its PublicIP on the external
 * interface instead. Peers of another backend type, or whose BackendData has no usable VtepMAC, are left out with
 * a reason. Pure; immutable (the device index is read when planning, as the device may be made again).
 */
final class VxlanPlanner implements RoutePlan.Planner {
    private final IntSupplier device;
    private final int external;
    private final boolean directRouting;
    private final List<Ipv4Subnet> externalSubnets;

    VxlanPlanner(IntSupplier device, int external, boolean directRouting, List<Ipv4Subnet> externalSubnets) {
        this.device = device;
        this.external = external;
        this.directRouting = directRouting;
        this.externalSubnets = List.copyOf(externalSubnets);
    }

    @Override
    public RoutePlan plan(Map<Ipv4Subnet, Lease> peers) {
        int dev = device.getAsInt();
        Map<Ipv4Subnet, PeerEntries> entries = new HashMap<>();
        Map<Ipv4Subnet, RoutePlan.Refusal> refused = new HashMap<>();
        for (Lease peer : peers.values()) {
            String type = peer.attrs().backendType();
            String publicIp = peer.attrs().publicIp();
            Ipv4Subnet subnet = peer.subnet();
            if (!type.equals(VxlanBackend.TYPE)) {
                refused.put(subnet, new RoutePlan.Refusal("ignored: backend " + type, "ignoring peer " + subnet + " at "
                        + publicIp + ": its lease is for the " + type + " backend, not vxlan"));
                continue;
            }
            int underlay = Ipv4.parse("PublicIP", publicIp);
            if (directRouting && externalSubnets.stream().anyMatch(s -> s.contains(underlay))) {
                entries.put(subnet, PeerEntries.route(Route.via(subnet, underlay, external, false)));
                continue;
            }
            MacAddress mac;
            try {
                mac = vtepMac(peer.attrs().backendData());
            } catch (WeftException e) {
                refused.put(subnet, new RoutePlan.Refusal("ignored: no VtepMAC", "ignoring peer " + subnet + " at "
                        + publicIp + ": " + e.getMessage()));
                continue;
            }
            entries.put(subnet, new PeerEntries(List.of(Route.via(subnet, subnet.base(), dev, true)),
                    List.of(Neighbour.permanent(dev, subnet.base(), mac)),
                    List.of(FdbEntry.permanent(dev, mac, underlay))));
        }
        return new RoutePlan(entries, refused);
    }

    /** {@code BackendData.VtepMAC}, its key matched ignoring case as Go's decoder does. */
    static MacAddress vtepMac(JsonNode backendData) {
        if (backendData != null && backendData.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> it = backendData.fields();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                if (e.getKey().toLowerCase(Locale.ROOT).equals("vtepmac") && e.getValue().isTextual()) {
                    return MacAddress.parse("BackendData.VtepMAC", e.getValue().textValue());
                }
            }
        }
        throw new WeftException("its BackendData " + backendData + " has no VtepMAC: the peer must run the vxlan"
                + " backend of weft or flanneld");
    }
}
