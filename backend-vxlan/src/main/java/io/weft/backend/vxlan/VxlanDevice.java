package io.weft.backend.vxlan;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.linux.KernelDevice;
import io.weft.linux.Link;
import io.weft.linux.LinkAddress;
import io.weft.linux.MacAddress;
import io.weft.linux.Rtnetlink;
import io.weft.linux.VxlanSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code flannel.<VNI>} device, as flanneld makes it: VXLAN id VNI, local address the public IP, the external
 * interface underneath, learning off unless asked, and this host's subnet's network address as a /32. An existing
 * device with the same settings is adopted as it is (its MAC kept, so a restart, or a switch from flanneld, changes
 * nothing peers know); one with other settings is made again, as flanneld does. {@link #ensure()} makes it again
 * when someone deleted it, with the same MAC. Owned by the vxlan backend, then its network; not thread-safe (the
 * network calls it under its lock).
 */
final class VxlanDevice implements KernelDevice {
    private static final Logger LOG = LoggerFactory.getLogger(VxlanDevice.class);
    private final Rtnetlink rt;
    private final String name;
    private final VxlanSettings settings;
    private final int mtu;
    private final Ipv4Subnet network;
    private MacAddress mac;
    private Link link;
    private Ipv4Subnet own;
    private boolean up;

    private VxlanDevice(Rtnetlink rt, String name, VxlanSettings settings, int mtu, Ipv4Subnet network) {
        this.rt = rt;
        this.name = name;
        this.settings = settings;
        this.mtu = mtu;
        this.network = network;
    }

    /** Adopts the device if it exists with these settings, else makes it (with {@code newMac}). */
    static VxlanDevice open(Rtnetlink rt, String name, VxlanSettings settings, int mtu, MacAddress newMac,
            Ipv4Subnet network) {
        VxlanDevice d = new VxlanDevice(rt, name, settings, mtu, network);
        d.mac = newMac;
        Link existing = rt.link(name).orElse(null);
        if (existing != null) {
            String mismatch = mismatch(existing, settings);
            if (mismatch.isEmpty()) {
                d.link = existing;
                d.mac = existing.mac();
                LOG.info("adopting device {} mac={} mtu={}", name, existing.mac(), existing.mtu());
                if (existing.mtu() != mtu) {
                    rt.setMtu(existing, mtu);
                }
                return d;
            }
            LOG.warn("device {} exists with other settings ({}); making it again", name, mismatch);
            rt.deleteLink(existing);
        }
        d.create();
        return d;
    }

    /** What makes {@code existing} not the device asked for, or empty when it will do (flanneld's checks). */
    static String mismatch(Link existing, VxlanSettings want) {
        VxlanSettings have = existing.vxlan();
        if (have == null) {
            return "kind " + (existing.kind().isEmpty() ? "none" : existing.kind()) + ", not vxlan";
        }
        if (have.vni() != want.vni()) {
            return "VNI " + have.vni() + ", not " + want.vni();
        }
        if (have.underlay() != 0 && want.underlay() != 0 && have.underlay() != want.underlay()) {
            return "underlying device #" + have.underlay() + ", not #" + want.underlay();
        }
        if (have.local() != 0 && want.local() != 0 && have.local() != want.local()) {
            return "local " + Ipv4.format(have.local()) + ", not " + Ipv4.format(want.local());
        }
        int wantPort = want.port() == 0 ? VxlanSettings.KERNEL_DEFAULT_PORT : want.port();
        if (have.port() != 0 && have.port() != wantPort) {
            return "port " + have.port() + ", not " + wantPort;
        }
        if (have.gbp() != want.gbp()) {
            return "gbp " + have.gbp() + ", not " + want.gbp();
        }
        if (have.learning() != want.learning()) {
            return "learning " + have.learning() + ", not " + want.learning();
        }
        return "";
    }

    private void create() {
        link = rt.createVxlan(name, mtu, mac, settings);
        LOG.info("created device {} vni={} local={} port={} mac={} mtu={}", name, settings.vni(),
                Ipv4.format(settings.local()), settings.port() == 0 ? VxlanSettings.KERNEL_DEFAULT_PORT : settings.port(),
                mac, mtu);
    }

    MacAddress mac() {
        return mac;
    }

    /** Gives the device this host's subnet's network address as a /32 (removing other Network addresses), and up. */
    void configure(Ipv4Subnet ownSubnet) {
        this.own = ownSubnet;
        LinkAddress wanted = new LinkAddress(link.index(), ownSubnet.base(), 32);
        for (LinkAddress a : rt.addresses()) {
            if (a.index() == link.index() && network.contains(a.address()) && !a.equals(wanted)) {
                rt.deleteAddress(a);
                LOG.info("removed address {} from {}", Ipv4.format(a.address()) + "/" + a.prefixLength(), name);
            }
        }
        rt.replaceAddress(wanted);
        rt.setUp(link);
        Link now = rt.link(link.index()).orElseThrow(() -> new WeftException("device " + name
                + " disappeared while being configured; another process deleted it: weft makes it again at the next"
                + " resync"));
        if (!mac.equals(now.mac())) {
            throw new WeftException("device " + name + " has MAC " + now.mac() + " but " + mac + " was set: another"
                    + " process changed it; delete the device and restart weft");
        }
        link = now;
        up = now.up();
    }

    @Override
    public int index() {
        return link.index();
    }

    @Override
    public boolean ensure() {
        Link now = rt.link(name).orElse(null);
        if (now == null || now.vxlan() == null || now.vxlan().vni() != settings.vni()) {
            if (now != null) {
                rt.deleteLink(now);
            }
            LOG.warn("device {} was deleted; making it again with mac={}", name, mac);
            create();
            configure(own);
            return true;
        }
        link = now;
        if (!now.up() || !mac.equals(now.mac()) || now.mtu() != mtu) {
            LOG.warn("device {} changed (up={} mac={} mtu={}); setting it back", name, now.up(), now.mac(), now.mtu());
            if (!mac.equals(now.mac())) {
                rt.setMac(now, mac);
            }
            if (now.mtu() != mtu) {
                rt.setMtu(now, mtu);
            }
            rt.setUp(now);
        }
        if (rt.addresses().stream().noneMatch(a -> a.index() == now.index() && a.address() == own.base())) {
            rt.replaceAddress(new LinkAddress(now.index(), own.base(), 32));
        }
        up = true;
        return false;
    }

    @Override
    public void leaseChanged(Lease ownLease) {
        configure(ownLease.subnet());
    }

    @Override
    public boolean isUp() {
        return up;
    }

    @Override
    public void remove() {
        if (rt.deleteLink(link)) {
            LOG.info("deleted device {}", name);
        }
        up = false;
    }
}
