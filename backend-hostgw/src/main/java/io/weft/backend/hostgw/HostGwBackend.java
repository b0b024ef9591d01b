package io.weft.backend.hostgw;

import io.weft.core.WeftException;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;
import io.weft.linux.KernelBackendSetup;
import io.weft.linux.KernelDevice;
import io.weft.linux.Link;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host-gw backend on one host: {@link #prepare} checks that the public IP is the external interface's own
 * (host-gw cannot route through a NAT) and finds the interface's subnets ({@link KernelBackendSetup}), {@link #start}
 * returns the {@link io.weft.linux.RouteNetwork} that keeps a route per peer. Made by {@link HostGwBackendProvider};
 * used once, from one thread.
 */
final class HostGwBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(HostGwBackend.class);
    static final String TYPE = "host-gw";
    private final BackendContext context;
    private KernelBackendSetup kernel;

    HostGwBackend(BackendContext context) {
        this.context = context;
    }

    @Override
    public LeaseRequest prepare(NetworkConfig networkConfig) {
        if (kernel != null) {
            throw new IllegalStateException("the host-gw backend was prepared already");
        }
        String iface = context.externalInterface().name();
        if (!context.publicIp().equals(context.externalInterface().address())) {
            throw new WeftException("the host-gw backend routes via each host's own address, but --public-ip "
                    + context.publicIp() + " differs from " + iface + "'s " + context.externalInterface().address()
                    + " (a NAT, which host-gw cannot route through): drop --public-ip, or use Backend.Type vxlan");
        }
        kernel = KernelBackendSetup.open(context, networkConfig);
        LOG.info("host-gw external={} subnets={}", iface, kernel.externalSubnets());
        return LeaseRequest.of(TYPE, 0);
    }

    @Override
    public Network start(Lease lease, int mtu) {
        if (kernel == null) {
            throw new IllegalStateException("start before prepare");
        }
        Link external = kernel.external();
        return kernel.network(KernelDevice.NONE, new HostGwPlanner(external.index(), external.name(),
                kernel.externalSubnets()), lease);
    }

    @Override
    public void close() {
        if (kernel != null) {
            kernel.close();
        }
    }
}
