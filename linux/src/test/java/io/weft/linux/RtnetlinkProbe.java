package io.weft.linux;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;

/**
 * Child-JVM main for {@link RtnetlinkNetnsTest}, run inside the test's namespace: {@code create} sets up a
 * flannel-style vxlan device with an address, a neighbour, an FDB entry and routes; {@code list} reads them back
 * through the dumps; {@code delete} removes them (twice: the second time each delete says it was gone);
 * {@code errors} provokes refusals. Prints {@code RESULT key=value} lines.
 */
public final class RtnetlinkProbe {
    static final MacAddress OWN = MacAddress.parse("t", "0e:00:00:00:00:01");
    static final MacAddress PEER = MacAddress.parse("t", "0e:00:00:00:00:03");
    static final int PEER_NET = Ipv4.parse("t", "100.96.3.0");
    static final int PEER_PUBLIC = Ipv4.parse("t", "198.18.0.3");
    static final Ipv4Subnet PEER_SUBNET = Ipv4Subnet.parse("100.96.3.0/24");
    static final Ipv4Subnet DIRECT_SUBNET = Ipv4Subnet.parse("100.96.4.0/24");
    static final int DIRECT_GATEWAY = Ipv4.parse("t", "198.18.0.4");

    private RtnetlinkProbe() {
    }

    public static void main(String[] args) {
        try (Rtnetlink rt = Rtnetlink.open(Syscalls.load())) {
            Link veth = rt.link("veth0").orElseThrow();
            switch (args[0]) {
                case "create" -> create(rt, veth);
                case "list" -> list(rt, veth);
                case "delete" -> delete(rt);
                case "errors" -> errors(rt, veth);
                default -> throw new IllegalArgumentException(args[0]);
            }
        }
    }

    private static void create(Rtnetlink rt, Link veth) {
        Link dev = rt.createVxlan("flannel.1", 1450, OWN,
                new VxlanSettings(1, Ipv4.parse("t", "198.18.0.1"), veth.index(), 0, false, false));
        result("created", dev);
        rt.setMtu(dev, 1400);
        rt.setMac(dev, MacAddress.parse("t", "0e:00:00:00:00:02"));
        rt.setMac(dev, OWN);
        rt.setUp(dev);
        rt.replaceAddress(new LinkAddress(dev.index(), Ipv4.parse("t", "100.96.1.0"), 32));
        rt.replaceAddress(new LinkAddress(dev.index(), Ipv4.parse("t", "100.96.1.0"), 32));
        rt.replaceNeighbour(Neighbour.permanent(dev.index(), PEER_NET, PEER));
        rt.replaceFdb(FdbEntry.permanent(dev.index(), PEER, PEER_PUBLIC));
        rt.appendFdb(FdbEntry.permanent(dev.index(), PEER, PEER_PUBLIC));
        rt.replaceRoute(Route.via(PEER_SUBNET, PEER_NET, dev.index(), true));
        rt.replaceRoute(Route.via(PEER_SUBNET, PEER_NET, dev.index(), true));
        rt.addRoute(Route.via(DIRECT_SUBNET, DIRECT_GATEWAY, veth.index(), false));
        result("done", true);
    }

    private static void list(Rtnetlink rt, Link veth) {
        Link dev = rt.link("flannel.1").orElseThrow();
        result("link", dev);
        result("addresses", rt.addresses().stream().filter(a -> a.index() == dev.index()).toList());
        result("routes", rt.routes().stream().filter(r -> r.destination().prefixLength() == 24
                && r.destination().base() != Ipv4.parse("t", "198.18.0.0")).map(Route::toString).sorted().toList());
        result("neighbours", rt.neighbours().stream().filter(n -> n.index() == dev.index()).toList());
        result("fdb", rt.fdb().stream().filter(e -> e.index() == dev.index()).toList());
        result("veth", veth.index());
    }

    private static void delete(Rtnetlink rt) {
        Link dev = rt.link("flannel.1").orElseThrow();
        Link veth = rt.link("veth0").orElseThrow();
        for (int round = 1; round <= 2; round++) {
            result("route" + round, rt.deleteRoute(Route.via(PEER_SUBNET, PEER_NET, dev.index(), true)));
            result("direct" + round, rt.deleteRoute(Route.via(DIRECT_SUBNET, DIRECT_GATEWAY, veth.index(), false)));
            result("neighbour" + round, rt.deleteNeighbour(dev.index(), PEER_NET));
            result("fdb" + round, rt.deleteFdb(FdbEntry.permanent(dev.index(), PEER, PEER_PUBLIC)));
            result("address" + round, rt.deleteAddress(new LinkAddress(dev.index(), Ipv4.parse("t", "100.96.1.0"), 32)));
        }
        result("link1", rt.deleteLink(dev));
        result("link2", rt.deleteLink(dev));
        result("gone", rt.link("flannel.1").isEmpty());
    }

    private static void errors(Rtnetlink rt, Link veth) {
        Link dev = rt.createVxlan("flannel.9", 1450, OWN,
                new VxlanSettings(9, Ipv4.parse("t", "198.18.0.1"), veth.index(), 0, false, false));
        rt.setUp(dev);
        attempt("exists", () -> rt.createVxlan("flannel.9", 1450, OWN,
                new VxlanSettings(9, Ipv4.parse("t", "198.18.0.1"), veth.index(), 0, false, false)));
        attempt("unreachable", () -> rt.replaceRoute(Route.via(PEER_SUBNET, Ipv4.parse("t", "100.96.9.9"), dev.index(),
                false)));
        rt.addRoute(Route.via(PEER_SUBNET, PEER_NET, dev.index(), true));
        attempt("duplicate", () -> rt.addRoute(Route.via(PEER_SUBNET, PEER_NET, dev.index(), true)));
        attempt("mtu", () -> rt.setMtu(dev, 10));
        rt.deleteLink(dev);
    }

    private static void attempt(String key, Runnable action) {
        try {
            action.run();
            result(key, "no error");
        } catch (WeftException e) {
            result(key, e.getMessage());
        }
    }

    private static void result(String key, Object value) {
        System.out.println("RESULT " + key + "=" + value);
    }
}
