package io.weft.linux;

import io.weft.core.model.Ipv4Subnet;
import java.nio.ByteBuffer;
import java.util.Optional;

/**
 * Turns the messages of an rtnetlink dump into weft's records. Each method returns empty for a message it
 * does not describe (another family, a short header, an attribute of the wrong size) rather than throwing:
 * a dump may hold entries weft does not manage. Stateless.
 */
final class RtDecoder {
    private static final int IFLA_VXLAN_LINK = RtRequests.IFLA_VXLAN_LINK;
    private static final int NLM_F_CAPPED = 0x100;

    private RtDecoder() {
    }

    static Optional<Link> link(NetlinkMessage m) {
        if (m.type() != RtRequests.RTM_NEWLINK || m.payload().length < RtRequests.IFINFOMSG_SIZE) {
            return Optional.empty();
        }
        ByteBuffer b = m.body();
        int index = b.getInt(4);
        int flags = b.getInt(8);
        NetlinkAttributes a = m.attributes(RtRequests.IFINFOMSG_SIZE);
        Optional<String> name = a.string(RtRequests.IFLA_IFNAME);
        if (name.isEmpty()) {
            return Optional.empty();
        }
        NetlinkAttributes info = a.nested(RtRequests.IFLA_LINKINFO);
        String kind = info.string(RtRequests.IFLA_INFO_KIND).orElse("");
        VxlanSettings vxlan = null;
        if (kind.equals("vxlan")) {
            NetlinkAttributes d = info.nested(RtRequests.IFLA_INFO_DATA);
            vxlan = new VxlanSettings(d.u32(RtRequests.IFLA_VXLAN_ID).orElse(0) & 0xffffff,
                    d.ipv4(RtRequests.IFLA_VXLAN_LOCAL).orElse(0), d.u32(IFLA_VXLAN_LINK).orElse(0),
                    d.be16(RtRequests.IFLA_VXLAN_PORT).orElse(0), d.u8(RtRequests.IFLA_VXLAN_LEARNING).orElse(0) != 0,
                    d.has(RtRequests.IFLA_VXLAN_GBP));
        }
        MacAddress mac = a.bytes(RtRequests.IFLA_ADDRESS).filter(x -> x.length == 6).map(MacAddress::of).orElse(null);
        return Optional.of(new Link(index, name.get(), kind, a.u32(RtRequests.IFLA_MTU).orElse(0), mac,
                (flags & RtRequests.IFF_UP) != 0, vxlan));
    }

    static Optional<LinkAddress> address(NetlinkMessage m) {
        if (m.type() != RtRequests.RTM_NEWADDR || m.payload().length < RtRequests.IFADDRMSG_SIZE) {
            return Optional.empty();
        }
        ByteBuffer b = m.body();
        if (b.get(0) != RtRequests.AF_INET) {
            return Optional.empty();
        }
        int prefix = b.get(1) & 0xff;
        int index = b.getInt(4);
        NetlinkAttributes a = m.attributes(RtRequests.IFADDRMSG_SIZE);
        Optional<Integer> local = a.ipv4(RtRequests.IFA_LOCAL).or(() -> a.ipv4(RtRequests.IFA_ADDRESS));
        if (local.isEmpty() || prefix > 32) {
            return Optional.empty();
        }
        return Optional.of(new LinkAddress(index, local.get(), prefix));
    }

    static Optional<Route> route(NetlinkMessage m) {
        if (m.type() != RtRequests.RTM_NEWROUTE || m.payload().length < RtRequests.RTMSG_SIZE) {
            return Optional.empty();
        }
        ByteBuffer b = m.body();
        int prefix = b.get(1) & 0xff;
        if (b.get(0) != RtRequests.AF_INET || prefix > 32) {
            return Optional.empty();
        }
        NetlinkAttributes a = m.attributes(RtRequests.RTMSG_SIZE);
        int table = a.u32(RtRequests.RTA_TABLE).orElse(b.get(4) & 0xff);
        Ipv4Subnet dst = Ipv4Subnet.containing(a.ipv4(RtRequests.RTA_DST).orElse(0), prefix);
        return Optional.of(new Route(dst, a.ipv4(RtRequests.RTA_GATEWAY).orElse(0), a.u32(RtRequests.RTA_OIF).orElse(0),
                (b.getInt(8) & RtRequests.RTNH_F_ONLINK) != 0, table, b.get(5) & 0xff, b.get(6) & 0xff,
                b.get(7) & 0xff));
    }

    static Optional<Neighbour> neighbour(NetlinkMessage m) {
        if (m.type() != RtRequests.RTM_NEWNEIGH || m.payload().length < RtRequests.NDMSG_SIZE) {
            return Optional.empty();
        }
        ByteBuffer b = m.body();
        if (b.get(0) != RtRequests.AF_INET) {
            return Optional.empty();
        }
        NetlinkAttributes a = m.attributes(RtRequests.NDMSG_SIZE);
        Optional<Integer> dst = a.ipv4(RtRequests.NDA_DST);
        if (dst.isEmpty()) {
            return Optional.empty();
        }
        MacAddress mac = a.bytes(RtRequests.NDA_LLADDR).filter(x -> x.length == 6).map(MacAddress::of).orElse(null);
        return Optional.of(new Neighbour(b.getInt(4), dst.get(), mac, b.getShort(8) & 0xffff));
    }

    static Optional<FdbEntry> fdb(NetlinkMessage m) {
        if (m.type() != RtRequests.RTM_NEWNEIGH || m.payload().length < RtRequests.NDMSG_SIZE) {
            return Optional.empty();
        }
        ByteBuffer b = m.body();
        if (b.get(0) != RtRequests.AF_BRIDGE) {
            return Optional.empty();
        }
        NetlinkAttributes a = m.attributes(RtRequests.NDMSG_SIZE);
        Optional<MacAddress> mac = a.bytes(RtRequests.NDA_LLADDR).filter(x -> x.length == 6).map(MacAddress::of);
        if (mac.isEmpty()) {
            return Optional.empty();
        }
        boolean permanent = ((b.getShort(8) & 0xffff) & Neighbour.NUD_PERMANENT) != 0;
        return Optional.of(new FdbEntry(b.getInt(4), mac.get(), a.ipv4(RtRequests.NDA_DST).orElse(0), permanent));
    }

    /**
     * The errno of an {@code NLMSG_ERROR} message (0 for an acknowledgement) and the kernel's extended-ack text,
     * if any. A short message reads as {@code EPROTO}'s errno, 71.
     */
    static Ack ack(NetlinkMessage m) {
        if (m.payload().length < 4 + NetlinkWriter.HEADER_SIZE) {
            return new Ack(71, "");
        }
        int errno = -m.body().getInt(0);
        String text = "";
        if ((m.flags() & RtRequests.NLM_F_ACK_TLVS) != 0) {
            // With NETLINK_CAP_ACK the request's header (not its payload) follows the error code, then the TLVs.
            int requestLength = m.body().getInt(4);
            int from = 4 + ((m.flags() & NLM_F_CAPPED) != 0 ? NetlinkWriter.HEADER_SIZE : NetlinkWriter.align(requestLength));
            if (from <= m.payload().length) {
                text = NetlinkAttributes.parse(m.payload(), from, m.payload().length)
                        .string(RtRequests.NLMSGERR_ATTR_MSG).orElse("");
            }
        }
        return new Ack(errno, text);
    }

    /** A request's outcome: errno 0 for success, and the kernel's own message when it gave one. */
    record Ack(int errno, String kernelMessage) {
    }
}
