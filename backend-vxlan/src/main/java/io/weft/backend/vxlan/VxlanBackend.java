package io.weft.backend.vxlan;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;
import io.weft.linux.Link;
import io.weft.linux.LinkAddress;
import io.weft.linux.RouteNetwork;
import io.weft.linux.Rtnetlink;
import io.weft.linux.Syscalls;
import io.weft.linux.VxlanSettings;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The vxlan backend on one host: {@link #prepare} reads the settings and makes (or adopts) the device before the
 * lease is taken, since the lease carries the device's MAC; {@link #start} addresses the device and returns the
 * {@link RouteNetwork} that keeps each peer's ARP, FDB and route entries. Made by {@link VxlanBackendProvider};
 * used once, from one thread.
 */
final class VxlanBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanBackend.class);
    static final String TYPE = "vxlan";
    private final BackendContext context;
    private Rtnetlink rt;
    private VxlanConfig settings;
    private VxlanDevice device;
    private Link external;
    private List<Ipv4Subnet> externalSubnets;
    private NetworkConfig config;
    private boolean started;

    VxlanBackend(BackendContext context) {
        this.context = context;
    }

    @Override
    public LeaseRequest prepare(NetworkConfig networkConfig) {
        if (rt != null) {
            throw new IllegalStateException("the vxlan backend was prepared already");
        }
        config = networkConfig;
        settings = VxlanConfig.from(networkConfig.backend());
        String iface = context.externalInterface().name();
        int deviceMtu = settings.deviceMtu(iface, context.externalInterface().mtu());
        LOG.info("vxlan VNI={} Port={} GBP={} Learning={} DirectRouting={} MTU={}", settings.vni(), settings.port(),
                settings.gbp(), settings.learning(), settings.directRouting(), deviceMtu);
        rt = Rtnetlink.open(Syscalls.load());
        try {
            external = rt.link(iface).orElseThrow(() -> new WeftException("external interface " + iface
                    + " is not listed by the kernel: check --iface"));
            externalSubnets = rt.addresses().stream().filter(a -> a.index() == external.index())
                    .map(LinkAddress::subnet).toList();
            VxlanSettings vxlan = new VxlanSettings(settings.vni(), Ipv4.parse("public-ip", context.publicIp()),
                    external.index(), settings.port(), settings.learning(), settings.gbp());
            device = VxlanDevice.open(rt, settings.deviceName(), vxlan, deviceMtu,
                    VtepMac.derive(context.publicIp(), settings.vni()), networkConfig.network());
        } catch (RuntimeException e) {
            rt.close();
            rt = null;
            throw e;
        }
        return new LeaseRequest(TYPE, backendData(settings.vni(), device.mac().toString()),
                context.externalInterface().mtu() - deviceMtu);
    }

    /** {@code {"VNI":1,"VtepMAC":"0e:..."}}, as flanneld writes it. */
    static ObjectNode backendData(int vni, String vtepMac) {
        return JsonNodeFactory.instance.objectNode().put("VNI", vni).put("VtepMAC", vtepMac);
    }

    @Override
    public Network start(Lease lease, int mtu) {
        if (rt == null) {
            throw new IllegalStateException("start before prepare");
        }
        device.configure(lease.subnet());
        started = true;
        VxlanDevice dev = device;
        return new RouteNetwork(rt, dev, new VxlanPlanner(dev::index, external.index(), settings.directRouting(),
                externalSubnets), config.network(), lease, external.index(), context.routeResync());
    }

    @Override
    public void close() {
        if (rt != null && !started) {
            rt.close();
        }
    }
}
