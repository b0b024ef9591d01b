package io.weft.linux;

/**
 * Builds the rtnetlink requests weft sends, each byte for byte as iproute2 sends the same request (the unit
 * tests compare against iproute2's bytes captured with strace): the flags, the fixed header and the attribute
 * order. Each method returns the message with sequence number {@code seq}. Stateless.
 */
final class RtRequests {
    // Message types (linux/rtnetlink.h).
    static final int RTM_NEWLINK = 16;
    static final int RTM_DELLINK = 17;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWADDR = 20;
    static final int RTM_DELADDR = 21;
    static final int RTM_GETADDR = 22;
    static final int RTM_NEWROUTE = 24;
    static final int RTM_DELROUTE = 25;
    static final int RTM_GETROUTE = 26;
    static final int RTM_NEWNEIGH = 28;
    static final int RTM_DELNEIGH = 29;
    static final int RTM_GETNEIGH = 30;
    // Header flags (linux/netlink.h).
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_ACK = 0x4;
    static final int NLM_F_DUMP_INTR = 0x10;
    static final int NLM_F_REPLACE = 0x100;
    static final int NLM_F_EXCL = 0x200;
    static final int NLM_F_CREATE = 0x400;
    static final int NLM_F_APPEND = 0x800;
    static final int NLM_F_DUMP = 0x300;
    static final int NLM_F_ACK_TLVS = 0x200;
    static final int NLMSGERR_ATTR_MSG = 1;
    // Families.
    static final int AF_UNSPEC = 0;
    static final int AF_INET = 2;
    static final int AF_BRIDGE = 7;
    // Links (linux/if_link.h).
    static final int IFINFOMSG_SIZE = 16;
    static final int IFF_UP = 0x1;
    static final int IFLA_ADDRESS = 1;
    static final int IFLA_IFNAME = 3;
    static final int IFLA_MTU = 4;
    static final int IFLA_LINKINFO = 18;
    static final int IFLA_INFO_KIND = 1;
    static final int IFLA_INFO_DATA = 2;
    static final int IFLA_VXLAN_ID = 1;
    static final int IFLA_VXLAN_LINK = 3;
    static final int IFLA_VXLAN_LOCAL = 4;
    static final int IFLA_VXLAN_LEARNING = 7;
    static final int IFLA_VXLAN_PORT = 15;
    static final int IFLA_VXLAN_GBP = 23;
    // Addresses (linux/if_addr.h).
    static final int IFADDRMSG_SIZE = 8;
    static final int IFA_ADDRESS = 1;
    static final int IFA_LOCAL = 2;
    // Routes.
    static final int RTMSG_SIZE = 12;
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_TABLE = 15;
    static final int RT_SCOPE_NOWHERE = 255;
    static final int RTNH_F_ONLINK = 4;
    // Neighbours (linux/neighbour.h).
    static final int NDMSG_SIZE = 12;
    static final int NDA_DST = 1;
    static final int NDA_LLADDR = 2;
    static final int NUD_NOARP = 0x40;
    static final int NTF_SELF = 0x2;

    private static final int ACKED = NLM_F_REQUEST | NLM_F_ACK;
    private static final int CREATE_EXCL = ACKED | NLM_F_CREATE | NLM_F_EXCL;
    private static final int CREATE_REPLACE = ACKED | NLM_F_CREATE | NLM_F_REPLACE;
    private static final int CREATE_APPEND = ACKED | NLM_F_CREATE | NLM_F_APPEND;
    private static final int DUMP = NLM_F_REQUEST | NLM_F_DUMP;

    private RtRequests() {
    }

    /** {@code ip link add NAME mtu MTU address MAC type vxlan id .. local .. dev .. [no]learning [dstport ..] [gbp]}. */
    static byte[] newVxlan(int seq, String name, int mtu, MacAddress mac, VxlanSettings v) {
        NetlinkWriter w = ifinfomsg(new NetlinkWriter(RTM_NEWLINK, CREATE_EXCL), 0, 0, 0);
        w.attrU32(IFLA_MTU, mtu).attr(IFLA_ADDRESS, mac.bytes()).attrString(IFLA_IFNAME, name);
        int info = w.beginNested(IFLA_LINKINFO);
        w.attrText(IFLA_INFO_KIND, "vxlan");
        int data = w.beginNested(IFLA_INFO_DATA);
        if (v.underlay() != 0) {
            w.attrU32(IFLA_VXLAN_LINK, v.underlay());
        }
        if (v.gbp()) {
            w.attrFlag(IFLA_VXLAN_GBP);
        }
        w.attrU32(IFLA_VXLAN_ID, v.vni());
        if (v.local() != 0) {
            w.attrIpv4(IFLA_VXLAN_LOCAL, v.local());
        }
        w.attrU8(IFLA_VXLAN_LEARNING, v.learning() ? 1 : 0);
        if (v.port() != 0) {
            w.attrBe16(IFLA_VXLAN_PORT, v.port());
        }
        w.endNested(data);
        w.endNested(info);
        return w.finish(seq);
    }

    /** {@code ip link del dev NAME}. */
    static byte[] deleteLink(int seq, int index) {
        return ifinfomsg(new NetlinkWriter(RTM_DELLINK, ACKED), index, 0, 0).finish(seq);
    }

    /** {@code ip link set dev NAME mtu MTU}. */
    static byte[] setMtu(int seq, int index, int mtu) {
        return ifinfomsg(new NetlinkWriter(RTM_NEWLINK, ACKED), index, 0, 0).attrU32(IFLA_MTU, mtu).finish(seq);
    }

    /** {@code ip link set dev NAME address MAC}. */
    static byte[] setMac(int seq, int index, MacAddress mac) {
        return ifinfomsg(new NetlinkWriter(RTM_NEWLINK, ACKED), index, 0, 0).attr(IFLA_ADDRESS, mac.bytes())
                .finish(seq);
    }

    /** {@code ip link set dev NAME up}. */
    static byte[] setUp(int seq, int index) {
        return ifinfomsg(new NetlinkWriter(RTM_NEWLINK, ACKED), index, IFF_UP, IFF_UP).finish(seq);
    }

    /** {@code ip addr replace ADDRESS/PREFIX dev NAME}. */
    static byte[] replaceAddress(int seq, LinkAddress a) {
        return address(new NetlinkWriter(RTM_NEWADDR, CREATE_REPLACE), a).finish(seq);
    }

    /** {@code ip addr del ADDRESS/PREFIX dev NAME}. */
    static byte[] deleteAddress(int seq, LinkAddress a) {
        return address(new NetlinkWriter(RTM_DELADDR, ACKED), a).finish(seq);
    }

    /** {@code ip route add ...}: fails with EEXIST if a route to the destination exists. */
    static byte[] addRoute(int seq, Route r) {
        return route(new NetlinkWriter(RTM_NEWROUTE, CREATE_EXCL), r, r.protocol(), r.scope(), r.type()).finish(seq);
    }

    /** {@code ip route replace ...}. */
    static byte[] replaceRoute(int seq, Route r) {
        return route(new NetlinkWriter(RTM_NEWROUTE, CREATE_REPLACE), r, r.protocol(), r.scope(), r.type())
                .finish(seq);
    }

    /** {@code ip route del ...}: any protocol, scope and type, as iproute2 asks. */
    static byte[] deleteRoute(int seq, Route r) {
        return route(new NetlinkWriter(RTM_DELROUTE, ACKED), r, 0, RT_SCOPE_NOWHERE, 0).finish(seq);
    }

    /** {@code ip neigh replace ADDRESS lladdr MAC dev NAME nud permanent}. */
    static byte[] replaceNeighbour(int seq, Neighbour n) {
        NetlinkWriter w = ndmsg(new NetlinkWriter(RTM_NEWNEIGH, CREATE_REPLACE), AF_INET, n.index(), n.state(), 0);
        return w.attrIpv4(NDA_DST, n.address()).attr(NDA_LLADDR, n.mac().bytes()).finish(seq);
    }

    /** {@code ip neigh del ADDRESS dev NAME}. */
    static byte[] deleteNeighbour(int seq, int index, int address) {
        NetlinkWriter w = ndmsg(new NetlinkWriter(RTM_DELNEIGH, ACKED), AF_INET, index, Neighbour.NUD_PERMANENT, 0);
        return w.attrIpv4(NDA_DST, address).finish(seq);
    }

    /** {@code bridge fdb append MAC dev NAME dst ADDRESS self permanent}. */
    static byte[] appendFdb(int seq, FdbEntry e) {
        return fdb(new NetlinkWriter(RTM_NEWNEIGH, CREATE_APPEND), e).finish(seq);
    }

    /** {@code bridge fdb replace MAC dev NAME dst ADDRESS self permanent}. */
    static byte[] replaceFdb(int seq, FdbEntry e) {
        return fdb(new NetlinkWriter(RTM_NEWNEIGH, CREATE_REPLACE), e).finish(seq);
    }

    /** {@code bridge fdb del MAC dev NAME dst ADDRESS self}. */
    static byte[] deleteFdb(int seq, FdbEntry e) {
        return fdb(new NetlinkWriter(RTM_DELNEIGH, ACKED), e).finish(seq);
    }

    static byte[] dumpLinks(int seq) {
        return ifinfomsg(new NetlinkWriter(RTM_GETLINK, DUMP), 0, 0, 0).finish(seq);
    }

    static byte[] dumpAddresses(int seq) {
        NetlinkWriter w = new NetlinkWriter(RTM_GETADDR, DUMP).u8(AF_INET).u8(0).u8(0).u8(0).u32(0);
        return w.finish(seq);
    }

    static byte[] dumpRoutes(int seq) {
        NetlinkWriter w = new NetlinkWriter(RTM_GETROUTE, DUMP).u8(AF_INET).u8(0).u8(0).u8(0).u8(0).u8(0).u8(0)
                .u8(0).u32(0);
        return w.finish(seq);
    }

    static byte[] dumpNeighbours(int seq) {
        return ndmsg(new NetlinkWriter(RTM_GETNEIGH, DUMP), AF_INET, 0, 0, 0).finish(seq);
    }

    static byte[] dumpFdb(int seq) {
        return ndmsg(new NetlinkWriter(RTM_GETNEIGH, DUMP), AF_BRIDGE, 0, 0, 0).finish(seq);
    }

    private static NetlinkWriter ifinfomsg(NetlinkWriter w, int index, int flags, int change) {
        return w.u8(AF_UNSPEC).u8(0).u16(0).u32(index).u32(flags).u32(change);
    }

    private static NetlinkWriter address(NetlinkWriter w, LinkAddress a) {
        w.u8(AF_INET).u8(a.prefixLength()).u8(0).u8(0).u32(a.index());
        return w.attrIpv4(IFA_LOCAL, a.address()).attrIpv4(IFA_ADDRESS, a.address());
    }

    private static NetlinkWriter route(NetlinkWriter w, Route r, int protocol, int scope, int type) {
        w.u8(AF_INET).u8(r.destination().prefixLength()).u8(0).u8(0).u8(r.table()).u8(protocol).u8(scope).u8(type)
                .u32(r.onlink() ? RTNH_F_ONLINK : 0);
        w.attrIpv4(RTA_DST, r.destination().base());
        if (r.gateway() != 0) {
            w.attrIpv4(RTA_GATEWAY, r.gateway());
        }
        if (r.outputInterface() != 0) {
            w.attrU32(RTA_OIF, r.outputInterface());
        }
        return w;
    }

    private static NetlinkWriter ndmsg(NetlinkWriter w, int family, int index, int state, int flags) {
        return w.u8(family).u8(0).u16(0).u32(index).u16(state).u8(flags).u8(0);
    }

    private static NetlinkWriter fdb(NetlinkWriter w, FdbEntry e) {
        ndmsg(w, AF_BRIDGE, e.index(), NUD_NOARP | (e.permanent() ? Neighbour.NUD_PERMANENT : 0), NTF_SELF);
        w.attr(NDA_LLADDR, e.mac().bytes());
        if (e.destination() != 0) {
            w.attrIpv4(NDA_DST, e.destination());
        }
        return w;
    }
}
