package io.weft.cli.doctor;

import io.weft.core.WeftException;
import io.weft.core.daemon.SubnetEnv;
import io.weft.core.daemon.SubnetEnvFile;
import io.weft.core.iptables.ForwardCheck;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.linux.Link;
import io.weft.linux.LinkAddress;
import io.weft.linux.Route;
import io.weft.linux.Rtnetlink;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;

/**
 * Doctor's checks of this host, read from the kernel and never changed: the device with the lease's address and MTU
 * (rtnetlink), the routes to the peers, {@code ip_forward} and {@code rp_filter} ({@code /proc}), the FORWARD chain
 * (iptables), {@code subnet.env} against the lease, and the underlay interface's MTU against the one the overlay MTU
 * was sized for. One use, on one thread.
 */
final class HostChecks {
    private static final String SCOPE = "host";
    private static final String SUBJECT = "this host";

    private final Rtnetlink rt;
    private final Path ipv4Sysctl;
    private final ForwardCheck forward;

    /**
     * @param ipv4Sysctl {@code /proc/sys/net/ipv4} (of the namespace doctor runs in)
     */
    HostChecks(Rtnetlink rt, Path ipv4Sysctl, ForwardCheck forward) {
        this.rt = rt;
        this.ipv4Sysctl = ipv4Sysctl;
        this.forward = forward;
    }

    List<Check> run(DaemonStatus status, List<Peer> peers, SubnetEnvFile subnetFile) {
        List<Check> checks = new ArrayList<>();
        Optional<Link> device = status.hasDevice() ? deviceOf(status.subnet()) : Optional.empty();
        checks.add(device(status, device));
        Check route = routes(status, peers, device);
        checks.add(route);
        checks.add(ipForward());
        checks.add(rpFilter(status, device, route));
        checks.add(forwardChain(status.network()));
        checks.add(subnetEnv(status, subnetFile));
        checks.add(underlayMtu(status));
        return checks;
    }

    private static Check ok(String name, String detail) {
        return Check.ok(SCOPE, SUBJECT, name, detail);
    }

    private static Check fail(String name, String detail, String cause, String fix) {
        return Check.fail(SCOPE, SUBJECT, name, detail, cause, fix);
    }

    /** The link holding {@code subnet}'s first address, as udp, ipsec and vxlan give their device. */
    private Optional<Link> deviceOf(Ipv4Subnet subnet) {
        return rt.addresses().stream().filter(a -> a.address() == subnet.base()).map(LinkAddress::index).findFirst()
                .flatMap(rt::link);
    }

    private Check device(DaemonStatus status, Optional<Link> device) {
        String address = Ipv4.format(status.subnet().base());
        if (!status.hasDevice()) {
            return Check.skip(SCOPE, SUBJECT, "device", "the host-gw backend has no device: it routes through "
                    + status.externalInterface());
        }
        if (device.isEmpty()) {
            return fail("device", "no device holds this host's overlay address " + address,
                    "the " + status.backend() + " backend's device was deleted or lost its address",
                    "restart weft: it makes the device again");
        }
        Link d = device.get();
        if (!d.up()) {
            return fail("device", d.name() + " holds " + address + " but is down", "someone set it down",
                    "ip link set " + d.name() + " up, or restart weft");
        }
        if (d.mtu() != status.mtu()) {
            return fail("device", d.name() + " has MTU " + d.mtu() + ", the daemon runs with " + status.mtu(),
                    "someone changed the device's MTU after weft set it",
                    "ip link set " + d.name() + " mtu " + status.mtu() + ", or restart weft");
        }
        return ok("device", d.name() + " is up with " + address + " and MTU " + d.mtu());
    }

    /**
     * Each destination leads where the backend sends it: the Network (udp, ipsec) or each peer's subnet (vxlan)
     * out of the device, or each peer's subnet via the peer's PublicIP (host-gw).
     */
    private Check routes(DaemonStatus status, List<Peer> peers, Optional<Link> device) {
        if (status.hasDevice() && device.isEmpty()) {
            return Check.skip(SCOPE, SUBJECT, "route", "no device to route through");
        }
        List<Route> main = rt.routes().stream().filter(r -> r.table() == Route.TABLE_MAIN).toList();
        boolean perPeer = !"udp".equals(status.backend()) && !"ipsec".equals(status.backend());
        List<String> wrong = new ArrayList<>();
        int checked = 0;
        if (!perPeer) {
            checked++;
            Optional<Route> r = lookup(main, status.network().base());
            if (r.isEmpty() || r.get().outputInterface() != device.get().index()) {
                wrong.add(status.network() + " (" + r.map(Route::toString).orElse("no route") + ")");
            }
        } else {
            for (Peer p : peers) {
                checked++;
                Optional<Route> r = lookup(main, p.subnet().base());
                boolean right = r.isPresent() && (status.hasDevice()
                        ? r.get().outputInterface() == device.get().index()
                        : r.get().gateway() == Ipv4.parse("PublicIP", p.publicIp()));
                if (!right) {
                    wrong.add(p.subnet() + " (" + r.map(Route::toString).orElse("no route") + ")");
                }
            }
        }
        String via = status.hasDevice() ? "through " + device.get().name() : "via each peer's PublicIP";
        if (!wrong.isEmpty()) {
            return fail("route", "not routed " + via + ": " + String.join(", ", wrong),
                    "the route was deleted or replaced by another",
                    "restart weft: it puts its routes back (vxlan and host-gw also every --route-resync)");
        }
        return ok("route", (perPeer ? checked + " peer subnet(s)" : status.network().toString()) + " routed " + via);
    }

    /** The main table's longest-prefix route to {@code address}. */
    private static Optional<Route> lookup(List<Route> routes, int address) {
        return routes.stream().filter(r -> r.destination().contains(address))
                .max(Comparator.comparingInt(r -> r.destination().prefixLength()));
    }

    private Check ipForward() {
        Optional<String> value = sysctl("ip_forward");
        if (value.isEmpty()) {
            return Check.skip(SCOPE, SUBJECT, "ip_forward", "cannot read " + ipv4Sysctl.resolve("ip_forward"));
        }
        if (!"1".equals(value.get())) {
            return fail("ip_forward", "net.ipv4.ip_forward is " + value.get(),
                    "the kernel does not forward packets between this host's containers and the overlay",
                    "sysctl -w net.ipv4.ip_forward=1, and put net.ipv4.ip_forward=1 in /etc/sysctl.d/ so it stays");
        }
        return ok("ip_forward", "net.ipv4.ip_forward is 1");
    }

    /**
     * Strict reverse-path filtering (1) drops a packet from a peer's container when the route back to its source does
     * not leave through the interface it came in on; with the routes checked above it does, so only strict mode with
     * a wrong route fails. The kernel applies the larger of {@code all} and the interface's value.
     */
    private Check rpFilter(DaemonStatus status, Optional<Link> device, Check route) {
        String iface = device.map(Link::name).orElse(status.externalInterface());
        Optional<String> all = sysctl("conf/all/rp_filter");
        Optional<String> own = sysctl("conf/" + iface + "/rp_filter");
        if (all.isEmpty() || own.isEmpty()) {
            return Check.skip(SCOPE, SUBJECT, "rp_filter", "cannot read rp_filter for " + iface);
        }
        int mode = Math.max(parse(all.get()), parse(own.get()));
        String seen = "rp_filter on " + iface + " is " + mode + " (all " + all.get() + ", " + iface + " " + own.get()
                + ")";
        if (mode == 1 && route.failed()) {
            return fail("rp_filter", seen + ", strict, and a peer's subnet is not routed back through " + iface,
                    "the kernel drops overlay packets whose source is not routed back out of the interface they came"
                            + " in on",
                    "fix the routes (see the route check), or loosen it: sysctl -w net.ipv4.conf." + iface
                            + ".rp_filter=2 net.ipv4.conf.all.rp_filter=2");
        }
        return ok("rp_filter", seen + (mode == 1 ? ", strict, and every peer's subnet routes back through it"
                : mode == 2 ? ", loose" : ", off"));
    }

    private static int parse(String v) {
        try {
            return Integer.parseInt(v);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private Check forwardChain(Ipv4Subnet network) {
        try {
            Optional<String> blocked = forward.blocks(network);
            if (blocked.isPresent()) {
                return fail("forward", blocked.get(),
                        "forwarded traffic between this host's containers and the overlay is dropped",
                        "run the daemon with --iptables-forward-rules (the default), or accept it yourself:"
                                + " iptables -A FORWARD -s " + network + " -j ACCEPT; iptables -A FORWARD -d "
                                + network + " -j ACCEPT");
            }
            return ok("forward", "the FORWARD chain lets " + network + " through");
        } catch (WeftException e) {
            return Check.skip(SCOPE, SUBJECT, "forward", "cannot read the FORWARD chain: " + e.getMessage());
        }
    }

    private Check subnetEnv(DaemonStatus status, SubnetEnvFile file) {
        String fix = "restart weft to rewrite it, or give doctor the daemon's --subnet-file";
        Optional<SubnetEnv> env;
        try {
            env = file.read();
        } catch (WeftException e) {
            return fail("subnet.env", e.getMessage(), "the file was changed by hand or cut short", fix);
        }
        if (env.isEmpty()) {
            return fail("subnet.env", "there is no " + file.path(),
                    "the daemon writes it elsewhere (--subnet-file), or it was deleted", fix);
        }
        SubnetEnv e = env.get();
        List<String> differ = new ArrayList<>();
        if (!e.subnet().equals(status.subnet())) {
            differ.add("FLANNEL_SUBNET " + e.subnet() + " but the lease is " + status.subnet());
        }
        if (!e.network().equals(status.network())) {
            differ.add("FLANNEL_NETWORK " + e.network() + " but the Network is " + status.network());
        }
        if (e.mtu() != status.mtu()) {
            differ.add("FLANNEL_MTU " + e.mtu() + " but the daemon runs with " + status.mtu());
        }
        if (!differ.isEmpty()) {
            return fail("subnet.env", file.path() + ": " + String.join("; ", differ),
                    "it is stale: containers started from it get the wrong subnet or MTU", fix);
        }
        return ok("subnet.env", file.path() + " matches the lease " + status.subnet() + " and MTU " + status.mtu());
    }

    private Check underlayMtu(DaemonStatus status) {
        String name = status.externalInterface();
        Optional<Link> link = name.isEmpty() ? Optional.empty() : rt.link(name);
        if (link.isEmpty()) {
            return fail("underlay-mtu", "the external interface " + (name.isEmpty() ? "(unknown)" : name)
                    + " is gone", "it was renamed or deleted after weft started",
                    "restart weft, with --iface naming the underlay interface");
        }
        int now = link.get().mtu();
        int overhead = status.underlayMtu() - status.mtu();
        if (now < status.underlayMtu()) {
            return fail("underlay-mtu", name + "'s MTU is " + now + ", below the " + status.underlayMtu()
                            + " the overlay MTU " + status.mtu() + " was sized for",
                    "the interface's MTU was lowered after weft started, so full-size overlay packets no longer fit",
                    "set Backend.MTU to " + now + " in the network config (weft config put) and restart weft on every"
                            + " host, or set " + name + "'s MTU back");
        }
        return ok("underlay-mtu", name + "'s MTU " + now + " carries the overlay MTU " + status.mtu() + " ("
                + overhead + " bytes of encapsulation)");
    }

    private Optional<String> sysctl(String name) {
        try {
            return Optional.of(Files.readString(ipv4Sysctl.resolve(name)).strip());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
