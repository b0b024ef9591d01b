package io.weft.linux;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.util.List;
import java.util.Map;

/**
 * Child-JVM main for {@link KernelSyncNetnsTest}, run inside the test's namespace: a vxlan device, one wanted
 * peer, and entries inside and outside weft's scope; prints what each step left in the kernel as {@code RESULT}
 * lines.
 */
public final class KernelSyncProbe {
    private static final Ipv4Subnet NETWORK = Ipv4Subnet.parse("100.96.0.0/16");
    private static final Ipv4Subnet OWN = Ipv4Subnet.parse("100.96.1.0/24");
    private static final Ipv4Subnet PEER = Ipv4Subnet.parse("100.96.3.0/24");
    private static final MacAddress PEER_MAC = MacAddress.parse("t", "0e:00:00:00:00:03");

    private KernelSyncProbe() {
    }

    public static void main(String[] args) {
        try (Rtnetlink rt = Rtnetlink.open(Syscalls.load())) {
            Link veth = rt.link("veth0").orElseThrow();
            Link dev = rt.createVxlan("flannel.1", 1450, MacAddress.parse("t", "0e:00:00:00:00:01"),
                    new VxlanSettings(1, Ipv4.parse("t", "198.18.0.1"), veth.index(), 0, false, false));
            rt.setUp(dev);
            int d = dev.index();
            KernelSync sync = new KernelSync(rt, new KernelSync.Scope(NETWORK, OWN, d, veth.index()));
            PeerEntries peer = new PeerEntries(List.of(Route.via(PEER, PEER.base(), d, true)),
                    List.of(Neighbour.permanent(d, PEER.base(), PEER_MAC)),
                    List.of(FdbEntry.permanent(d, PEER_MAC, Ipv4.parse("t", "198.18.0.3"))));
            sync.apply(Map.of(PEER, peer));
            result("states", sync.states());

            // In weft's scope but wanted by no peer.
            rt.replaceRoute(Route.via(Ipv4Subnet.parse("100.96.8.0/24"), Ipv4.parse("t", "100.96.8.0"), d, true));
            rt.replaceRoute(Route.via(Ipv4Subnet.parse("100.96.9.0/24"), Ipv4.parse("t", "198.18.0.9"), veth.index(),
                    false));
            rt.replaceNeighbour(Neighbour.permanent(d, Ipv4.parse("t", "100.96.8.0"), MacAddress.parse("t",
                    "0e:00:00:00:00:08")));
            rt.replaceFdb(FdbEntry.permanent(d, MacAddress.parse("t", "0e:00:00:00:00:08"), Ipv4.parse("t", "198.18.0.8")));
            // Outside it: a route outside the Network on the device, this host's own subnet, a route into the
            // Network via loopback.
            rt.replaceRoute(Route.via(Ipv4Subnet.parse("10.9.0.0/24"), Ipv4.parse("t", "10.9.0.1"), d, true));
            rt.replaceRoute(Route.via(OWN, Ipv4.parse("t", "198.18.0.1"), veth.index(), false));
            // The peer's own entries, deleted by hand.
            rt.deleteRoute(Route.via(PEER, PEER.base(), d, true));
            rt.deleteFdb(FdbEntry.permanent(d, PEER_MAC, Ipv4.parse("t", "198.18.0.3")));

            result("firstResync", sync.resync(false));
            result("repaired1", sync.repaired());
            result("routes1", routes(rt));
            result("secondResync", sync.resync(true));
            result("routes2", routes(rt));
            result("neighbours2", rt.neighbours().stream().filter(n -> n.index() == d).map(n -> Ipv4.format(n.address()))
                    .sorted().toList());
            result("fdb2", rt.fdb().stream().filter(f -> f.index() == d).map(f -> f.mac().toString()).sorted().toList());
            result("thirdResync", sync.resync(true));
            result("repaired3", sync.repaired());

            sync.apply(Map.of());
            result("routes3", routes(rt));
            result("neighbours3", rt.neighbours().stream().filter(n -> n.index() == d).count());
            result("fdb3", rt.fdb().stream().filter(f -> f.index() == d).count());
            result("states3", sync.states());
        }
    }

    private static List<String> routes(Rtnetlink rt) {
        return rt.routes().stream().filter(r -> r.gateway() != 0).map(r -> r.destination().toString()).sorted().toList();
    }

    private static void result(String key, Object value) {
        System.out.println("RESULT " + key + "=" + value);
    }
}
