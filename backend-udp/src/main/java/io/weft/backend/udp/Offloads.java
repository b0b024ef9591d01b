package io.weft.backend.udp;

import io.weft.linux.TunDevice;
import java.util.ArrayList;
import java.util.List;

/**
 * The offloads this host's data path runs with, as probed at start: whether the TUN device speaks the vnet
 * header and which segmentation kinds it hands over unfinished, and whether the UDP sockets send GSO trains
 * and take GRO trains. A part the kernel lacks is simply off, and that part takes the plain path. Immutable.
 *
 * @param vnetHdr  reads and writes on the TUN device start with a {@code virtio_net_hdr}
 * @param tunFlags the {@code TUN_F_*} offloads the kernel granted
 * @param gso      the sockets send one buffer per train of same-sized datagrams ({@code UDP_SEGMENT})
 * @param gro      the sockets receive trains as one buffer ({@code UDP_GRO})
 */
record Offloads(boolean vnetHdr, int tunFlags, boolean gso, boolean gro) {
    /** Today's plain path: one packet per read, per datagram, per write. */
    static final Offloads NONE = new Offloads(false, 0, false, false);

    /** The names of what is on, e.g. {@code [tso4, tso6, uso4, uso6, csum, udp-gso, udp-gro]}; empty for none. */
    List<String> names() {
        List<String> out = new ArrayList<>();
        if ((tunFlags & TunDevice.TUN_F_TSO4) != 0) {
            out.add("tso4");
        }
        if ((tunFlags & TunDevice.TUN_F_TSO6) != 0) {
            out.add("tso6");
        }
        if ((tunFlags & TunDevice.TUN_F_USO4) != 0) {
            out.add("uso4");
        }
        if ((tunFlags & TunDevice.TUN_F_USO6) != 0) {
            out.add("uso6");
        }
        if ((tunFlags & TunDevice.TUN_F_CSUM) != 0) {
            out.add("csum");
        }
        if (gso) {
            out.add("udp-gso");
        }
        if (gro) {
            out.add("udp-gro");
        }
        return out;
    }
}
