package io.weft.backend.udp;

import java.nio.ByteBuffer;

/**
 * The per-packet decisions of the data path, free of I/O and allocation so they can be tested with
 * tables: where a packet read from the TUN device goes, and whether a datagram from the UDP socket may
 * enter the device. A decision is an int: zero or more means "go" (a peer index, or a length to write);
 * a negative value encodes a {@link DropReason} ({@link #drop}, {@link #reason}). Stateless.
 */
final class Forwarding {
    private static final DropReason[] REASONS = DropReason.values();

    private Forwarding() {
    }

    static int drop(DropReason reason) {
        return -1 - reason.ordinal();
    }

    static DropReason reason(int decision) {
        return REASONS[-1 - decision];
    }

    /**
     * A packet the kernel routed into the TUN device: the peer index to send it to, with the TTL already
     * decremented, or a drop. {@link DropReason#NET_UNREACHABLE} and {@link DropReason#TTL_EXCEEDED} ask
     * the caller for an ICMP error; the packet is left unchanged for quoting.
     */
    static int outbound(ByteBuffer b, int off, int length, RouteTable routes) {
        if (length < Ipv4Packet.MIN_HEADER || Ipv4Packet.version(b, off) != 4) {
            return drop(DropReason.TUN_NOT_IPV4);
        }
        int destination = Ipv4Packet.destination(b, off);
        int peer = routes.lookup(destination);
        if (peer < 0) {
            return drop(routes.network().contains(destination) ? DropReason.NET_UNREACHABLE : DropReason.NO_ROUTE);
        }
        if (Ipv4Packet.ttl(b, off) <= 1) {
            return drop(DropReason.TTL_EXCEEDED);
        }
        Ipv4Packet.decrementTtl(b, off);
        return peer;
    }

    /**
     * Who sent a datagram that came from {@code address}:{@code port}: the index of the peer with that PublicIP,
     * or a drop, {@link DropReason#UNKNOWN_PEER} for an address that holds no lease and
     * {@link DropReason#WRONG_PORT} for a peer's address but a port other than the backend's (every host, and
     * flannel, sends from the port it binds). Decided before a transform opens the datagram, so a datagram from
     * the wrong port costs no cryptography.
     */
    static int sender(int address, int port, RouteTable routes) {
        int peer = routes.peerAt(address);
        if (peer < 0) {
            return drop(DropReason.UNKNOWN_PEER);
        }
        if (port != routes.port()) {
            return drop(DropReason.WRONG_PORT);
        }
        return peer;
    }

    /**
     * A datagram from the UDP socket, from peer {@code peer} (the index in {@code routes} of the peer that sent
     * it, see {@link #sender}, or -1): the number of bytes to write into the TUN device (the IPv4 total length,
     * trimming any trailing bytes), or a drop. The inner source must be an address the sender holds
     * ({@link RouteTable#mayCarry}), else {@link DropReason#SPOOFED_SOURCE}. The checks go from cheapest to
     * dearest, and each guards the reads after it.
     */
    static int inbound(ByteBuffer b, int off, int length, int peer, RouteTable routes) {
        if (peer < 0) {
            return drop(DropReason.UNKNOWN_PEER);
        }
        if (length < Ipv4Packet.MIN_HEADER) {
            return drop(DropReason.SHORT);
        }
        if (Ipv4Packet.version(b, off) != 4) {
            return drop(DropReason.BAD_VERSION);
        }
        int headerLength = Ipv4Packet.headerLength(b, off);
        if (headerLength < Ipv4Packet.MIN_HEADER || headerLength > length) {
            return drop(DropReason.BAD_HEADER_LENGTH);
        }
        int total = Ipv4Packet.totalLength(b, off);
        if (total < headerLength || total > length) {
            return drop(DropReason.BAD_TOTAL_LENGTH);
        }
        if (!routes.mayCarry(peer, Ipv4Packet.source(b, off))) {
            return drop(DropReason.SPOOFED_SOURCE);
        }
        if (!routes.own().contains(Ipv4Packet.destination(b, off))) {
            return drop(DropReason.NOT_OUR_SUBNET);
        }
        return total;
    }
}
