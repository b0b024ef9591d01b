package io.weft.backend.vxlan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;
import io.weft.linux.KernelBackendSetup;
import io.weft.linux.VxlanSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vxlan backend on one host: {@link #prepare} reads the settings, opens the {@link KernelBackendSetup} and makes
 * (or adopts) the device before the lease is taken, since the lease carries the device's MAC; {@link #start}
 * addresses the device and returns the {@link io.weft.linux.RouteNetwork} that keeps each peer's ARP, FDB and route
 * entries. Made by {@link VxlanBackendProvider}; used once, from one thread.
 */
final class VxlanBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanBackend.class);
    static final String TYPE = "vxlan";
    private final BackendContext context;
    private KernelBackendSetup kernel;
    private VxlanConfig settings;
    private VxlanDevice device;

    VxlanBackend(BackendContext context) {
        this.context = context;
    }

    @Override
    public LeaseRequest prepare(NetworkConfig networkConfig) {
        if (kernel != null) {
            throw new IllegalStateException("the vxlan backend was prepared already");
        }
        settings = VxlanConfig.from(networkConfig.backend());
        String iface = context.externalInterface().name();
        int deviceMtu = settings.deviceMtu(iface, context.externalInterface().mtu());
        LOG.info("vxlan VNI={} Port={} GBP={} Learning={} DirectRouting={} MTU={}", settings.vni(), settings.port(),
                settings.gbp(), settings.learning(), settings.directRouting(), deviceMtu);
        KernelBackendSetup setup = KernelBackendSetup.open(context, networkConfig);
        try {
            VxlanSettings vxlan = new VxlanSettings(settings.vni(), Ipv4.parse("public-ip", context.publicIp()),
                    setup.external().index(), settings.port(), settings.learning(), settings.gbp());
            device = VxlanDevice.open(setup.rtnetlink(), settings.deviceName(), vxlan, deviceMtu,
                    VtepMac.derive(context.publicIp(), settings.vni()), networkConfig.network());
        } catch (RuntimeException e) {
            setup.close();
            throw e;
        }
        kernel = setup;
        return new LeaseRequest(TYPE, backendData(settings.vni(), device.mac().toString()),
                context.externalInterface().mtu() - deviceMtu);
    }

    /** {@code {"VNI":1,"VtepMAC":"0e:..."}}, as flanneld writes it. */
    static ObjectNode backendData(int vni, String vtepMac) {
        return JsonNodeFactory.instance.objectNode().put("VNI", vni).put("VtepMAC", vtepMac);
    }

    @Override
    public Network start(Lease lease, int mtu) {
        if (kernel == null) {
            throw new IllegalStateException("start before prepare");
        }
        device.configure(lease.subnet());
        VxlanDevice dev = device;
        return kernel.network(dev, new VxlanPlanner(dev::index, kernel.external().index(), settings.directRouting(),
                kernel.externalSubnets()), lease);
    }

    @Override
    public void close() {
        if (kernel != null) {
            kernel.close();
        }
    }
}
