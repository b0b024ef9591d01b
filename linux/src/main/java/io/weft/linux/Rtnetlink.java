package io.weft.linux;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.IntFunction;

/**
 * Links, addresses, routes, neighbours and bridge FDB entries, managed over one {@code NETLINK_ROUTE} socket
 * with no {@code ip} subprocess: every change is acknowledged, and a refusal becomes a {@link WeftException}
 * of one line naming the object, errno (with the kernel's own text when it gives one) and a fix. The list
 * methods dump what exists, for reconciliation. Opened by a backend for the life of its network; thread-safe
 * (one request at a time).
 */
public final class Rtnetlink implements AutoCloseable {
    /** How long one answer from the kernel is waited for. */
    static final Duration ANSWER_TIMEOUT = Duration.ofSeconds(5);

    private final NetlinkSocket socket;

    private Rtnetlink(NetlinkSocket socket) {
        this.socket = socket;
    }

    /** Opens a socket in the calling thread's network namespace. */
    public static Rtnetlink open(Syscalls sys) {
        return new Rtnetlink(NetlinkSocket.open(sys, ANSWER_TIMEOUT));
    }

    public List<Link> links() {
        return dump(RtRequests::dumpLinks, "list links", RtDecoder::link);
    }

    public Optional<Link> link(String name) {
        return links().stream().filter(l -> l.name().equals(name)).findFirst();
    }

    public Optional<Link> link(int index) {
        return links().stream().filter(l -> l.index() == index).findFirst();
    }

    /** Every IPv4 address on every device. */
    public List<LinkAddress> addresses() {
        return dump(RtRequests::dumpAddresses, "list IPv4 addresses", RtDecoder::address);
    }

    /** The IPv4 routes of the main table. */
    public List<Route> routes() {
        return dump(RtRequests::dumpRoutes, "list IPv4 routes", RtDecoder::route).stream()
                .filter(r -> r.table() == Route.TABLE_MAIN).toList();
    }

    /** The IPv4 neighbour (ARP) entries of every device. */
    public List<Neighbour> neighbours() {
        return dump(RtRequests::dumpNeighbours, "list IPv4 neighbours", RtDecoder::neighbour);
    }

    /** The bridge FDB entries of every device (a VXLAN device's remote VTEPs among them). */
    public List<FdbEntry> fdb() {
        return dump(RtRequests::dumpFdb, "list bridge FDB entries", RtDecoder::fdb);
    }

    /**
     * Creates a VXLAN device (down, without addresses) and returns it as the kernel reports it.
     *
     * @throws WeftException when it cannot, e.g. EEXIST when a device of that name exists
     */
    public Link createVxlan(String name, int mtu, MacAddress mac, VxlanSettings settings) {
        int seq = socket.nextSeq();
        ack(RtRequests.newVxlan(seq, name, mtu, mac, settings), "create vxlan device " + name + " (VNI "
                + settings.vni() + ", local " + Ipv4.format(settings.local()) + ", port " + settings.port() + ")",
                "remove the device of that name, or check the kernel has the vxlan module");
        return link(name).orElseThrow(() -> new WeftException("vxlan device " + name
                + " was created but is not listed; another process may have deleted it: restart weft"));
    }

    /** Deletes a device; false when it was already gone. */
    public boolean deleteLink(Link link) {
        return ackUnlessGone(RtRequests.deleteLink(socket.nextSeq(), link.index()), "delete device " + link.name(),
                LibC.ENODEV);
    }

    public void setMtu(Link link, int mtu) {
        ack(RtRequests.setMtu(socket.nextSeq(), link.index(), mtu), "set MTU " + mtu + " on device " + link.name(),
                "give an MTU the device accepts (68 to its maximum)");
    }

    public void setMac(Link link, MacAddress mac) {
        ack(RtRequests.setMac(socket.nextSeq(), link.index(), mac), "set address " + mac + " on device " + link.name(),
                "give a unicast MAC address");
    }

    public void setUp(Link link) {
        ack(RtRequests.setUp(socket.nextSeq(), link.index()), "set device " + link.name() + " up",
                "check the device's underlying device is up");
    }

    /** Adds the address, or replaces an equal one. */
    public void replaceAddress(LinkAddress address) {
        ack(RtRequests.replaceAddress(socket.nextSeq(), address), "add address " + Ipv4.format(address.address()) + "/"
                + address.prefixLength() + " to " + device(address.index()), "check the device exists");
    }

    /** Deletes the address; false when it was not there. */
    public boolean deleteAddress(LinkAddress address) {
        return ackUnlessGone(RtRequests.deleteAddress(socket.nextSeq(), address), "delete address "
                + Ipv4.format(address.address()) + "/" + address.prefixLength() + " from " + device(address.index()),
                LibC.EADDRNOTAVAIL);
    }

    /** Adds the route; fails with EEXIST when a route to the destination exists. */
    public void addRoute(Route route) {
        ack(RtRequests.addRoute(socket.nextSeq(), route), "add route " + describe(route), routeFix());
    }

    /** Adds the route, or replaces the one to the same destination. */
    public void replaceRoute(Route route) {
        ack(RtRequests.replaceRoute(socket.nextSeq(), route), "replace route " + describe(route), routeFix());
    }

    /** Deletes the route; false when there was no such route. */
    public boolean deleteRoute(Route route) {
        return ackUnlessGone(RtRequests.deleteRoute(socket.nextSeq(), route), "delete route " + describe(route),
                LibC.ESRCH);
    }

    /** Adds the neighbour entry, or replaces the one for the same address on the device. */
    public void replaceNeighbour(Neighbour neighbour) {
        ack(RtRequests.replaceNeighbour(socket.nextSeq(), neighbour), "replace neighbour "
                + Ipv4.format(neighbour.address()) + " lladdr " + neighbour.mac() + " on " + device(neighbour.index()),
                "check the device exists");
    }

    /** Deletes the neighbour entry; false when there was none. */
    public boolean deleteNeighbour(int index, int address) {
        return ackUnlessGone(RtRequests.deleteNeighbour(socket.nextSeq(), index, address), "delete neighbour "
                + Ipv4.format(address) + " on " + device(index), LibC.ENOENT);
    }

    /** Appends a destination for the entry's MAC ({@code bridge fdb append}); a present one is kept. */
    public void appendFdb(FdbEntry entry) {
        ack(RtRequests.appendFdb(socket.nextSeq(), entry), "append FDB entry " + describe(entry), "check the device"
                + " is a vxlan device");
    }

    /** Sets the entry's MAC to go to this destination only ({@code bridge fdb replace}). */
    public void replaceFdb(FdbEntry entry) {
        ack(RtRequests.replaceFdb(socket.nextSeq(), entry), "replace FDB entry " + describe(entry), "check the device"
                + " is a vxlan device");
    }

    /** Deletes the entry; false when there was none. */
    public boolean deleteFdb(FdbEntry entry) {
        return ackUnlessGone(RtRequests.deleteFdb(socket.nextSeq(), entry), "delete FDB entry " + describe(entry),
                LibC.ENOENT);
    }

    @Override
    public void close() {
        socket.close();
    }

    /**
     * The one-line failure of {@code what}: errno's name and number, the kernel's text when it gave one, and the fix
     * (for a permission error, the usual one).
     */
    static WeftException failure(String what, RtDecoder.Ack ack, String fix) {
        String kernel = ack.kernelMessage().isEmpty() ? "" : " (kernel: " + ack.kernelMessage() + ")";
        return new WeftException(what + " failed: " + Errno.name(ack.errno()) + kernel + ": "
                + Syscalls.fixFor(ack.errno(), fix));
    }

    private static String routeFix() {
        return "check the gateway is on a subnet of the device (or the route is onlink) and the device is up";
    }

    private void ack(byte[] request, String what, String fix) {
        RtDecoder.Ack ack = socket.request(request, what);
        if (ack.errno() != 0) {
            throw failure(what, ack, fix);
        }
    }

    private boolean ackUnlessGone(byte[] request, String what, int goneErrno) {
        RtDecoder.Ack ack = socket.request(request, what);
        if (ack.errno() == goneErrno || ack.errno() == LibC.ENODEV && goneErrno != LibC.ENODEV) {
            return false;
        }
        if (ack.errno() != 0) {
            throw failure(what, ack, "check the kernel's message");
        }
        return true;
    }

    private <T> List<T> dump(IntFunction<byte[]> request, String what, Function<NetlinkMessage, Optional<T>> decode) {
        return socket.dump(request, what).stream().map(decode).flatMap(Optional::stream).toList();
    }

    /** {@code ROUTE} with device names for indexes, for a message. */
    private String describe(Route route) {
        return route.outputInterface() == 0 ? route.toString()
                : route.toString().replace("dev #" + route.outputInterface(), "dev " + name(route.outputInterface()));
    }

    private String describe(FdbEntry entry) {
        return entry.toString().replace("dev #" + entry.index(), "dev " + name(entry.index()));
    }

    private String device(int index) {
        return "device " + name(index);
    }

    /** The device's name, or {@code #index} when it cannot be listed (only for messages). */
    private String name(int index) {
        try {
            return link(index).map(Link::name).orElse("#" + index);
        } catch (WeftException e) {
            return "#" + index;
        }
    }
}
