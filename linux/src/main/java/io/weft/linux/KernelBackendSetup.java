package io.weft.linux;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.BackendContext;
import java.time.Duration;
import java.util.List;

/**
 * What a kernel backend (vxlan, host-gw) takes in {@code prepare} and hands on in {@code start}: the netlink socket,
 * the external interface with its subnets, the overlay Network and the resync interval. {@link #network} gives the
 * socket to the {@link RouteNetwork} it makes; {@link #close()} before that closes the socket. The backends keep
 * what differs (their checks, device, lease request and planner). Owned by one backend; used from one thread.
 */
public final class KernelBackendSetup implements AutoCloseable {
    private final Rtnetlink rt;
    private final Link external;
    private final List<Ipv4Subnet> externalSubnets;
    private final Ipv4Subnet network;
    private final Duration resync;
    private boolean handedOver;

    private KernelBackendSetup(Rtnetlink rt, Link external, List<Ipv4Subnet> externalSubnets, Ipv4Subnet network,
            Duration resync) {
        this.rt = rt;
        this.external = external;
        this.externalSubnets = externalSubnets;
        this.network = network;
        this.resync = resync;
    }

    /**
     * Opens the netlink socket and finds the context's external interface and its subnets; the socket is closed
     * again when that fails.
     */
    public static KernelBackendSetup open(BackendContext context, NetworkConfig config) {
        String iface = context.externalInterface().name();
        Rtnetlink rt = Rtnetlink.open(Syscalls.load());
        try {
            Link external = rt.link(iface).orElseThrow(() -> new WeftException("external interface " + iface
                    + " is not listed by the kernel: check --iface"));
            List<Ipv4Subnet> subnets = rt.addresses().stream().filter(a -> a.index() == external.index())
                    .map(LinkAddress::subnet).toList();
            return new KernelBackendSetup(rt, external, subnets, config.network(), context.routeResync());
        } catch (RuntimeException e) {
            rt.close();
            throw e;
        }
    }

    /** The netlink socket, e.g. to make the backend's device before the lease. */
    public Rtnetlink rtnetlink() {
        return rt;
    }

    public Link external() {
        return external;
    }

    /** The subnets of the external interface's addresses: peers in them share its L2 network. */
    public List<Ipv4Subnet> externalSubnets() {
        return externalSubnets;
    }

    /** The network for this host's lease; it owns the socket from now on. */
    public RouteNetwork network(KernelDevice device, RoutePlan.Planner planner, Lease lease) {
        RouteNetwork made = new RouteNetwork(rt, device, planner, network, lease, external.index(), resync);
        handedOver = true;
        return made;
    }

    /** Closes the socket unless a network took it. */
    @Override
    public void close() {
        if (!handedOver) {
            rt.close();
        }
    }
}
