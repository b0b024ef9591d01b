package io.weft.backend.hostgw;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;
import io.weft.linux.KernelDevice;
import io.weft.linux.Link;
import io.weft.linux.LinkAddress;
import io.weft.linux.RouteNetwork;
import io.weft.linux.Rtnetlink;
import io.weft.linux.Syscalls;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host-gw backend on one host: {@link #prepare} checks that the public IP is the external interface's own
 * (host-gw cannot route through a NAT) and finds the interface's subnets, {@link #start} returns the
 * {@link RouteNetwork} that keeps a route per peer. Made by {@link HostGwBackendProvider}; used once, from one
 * thread.
 */
final class HostGwBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(HostGwBackend.class);
    static final String TYPE = "host-gw";
    private final BackendContext context;
    private Rtnetlink rt;
    private Link external;
    private List<Ipv4Subnet> externalSubnets;
    private NetworkConfig config;
    private boolean started;

    HostGwBackend(BackendContext context) {
        this.context = context;
    }

    @Override
    public LeaseRequest prepare(NetworkConfig networkConfig) {
        if (rt != null) {
            throw new IllegalStateException("the host-gw backend was prepared already");
        }
        String iface = context.externalInterface().name();
        if (!context.publicIp().equals(context.externalInterface().address())) {
            throw new WeftException("the host-gw backend routes via each host's own address, but --public-ip "
                    + context.publicIp() + " differs from " + iface + "'s " + context.externalInterface().address()
                    + " (a NAT, which host-gw cannot route through): drop --public-ip, or use Backend.Type vxlan");
        }
        config = networkConfig;
        rt = Rtnetlink.open(Syscalls.load());
        try {
            external = rt.link(iface).orElseThrow(() -> new WeftException("external interface " + iface
                    + " is not listed by the kernel: check --iface"));
            externalSubnets = rt.addresses().stream().filter(a -> a.index() == external.index())
                    .map(LinkAddress::subnet).toList();
        } catch (RuntimeException e) {
            rt.close();
            throw e;
        }
        LOG.info("host-gw external={} subnets={}", iface, externalSubnets);
        return LeaseRequest.of(TYPE, 0);
    }

    @Override
    public Network start(Lease lease, int mtu) {
        if (rt == null) {
            throw new IllegalStateException("start before prepare");
        }
        started = true;
        return new RouteNetwork(rt, KernelDevice.NONE, new HostGwPlanner(external.index(), external.name(),
                externalSubnets), config.network(), lease, external.index(), context.routeResync());
    }

    @Override
    public void close() {
        if (rt != null && !started) {
            rt.close();
        }
    }
}
