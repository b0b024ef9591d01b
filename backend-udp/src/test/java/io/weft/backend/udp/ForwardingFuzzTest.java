package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.testing.FuzzInput;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Fuzz targets for the per-packet decisions of both directions ({@link Forwarding}) over real route tables, and
 * for the {@link Ipv4Packet} accessors they rest on. Each input is parameter bytes (which table, which offset,
 * which sender) followed by the packet; the packet sits at that non-zero offset of a canary-filled direct
 * buffer, and the code gets a view that ends where the packet ends. Seeds: {@code ForwardingFuzzTestInputs/},
 * written by {@link FuzzSeeds}. {@code scripts/fuzz} fuzzes them; a normal build replays the seeds.
 */
class ForwardingFuzzTest {
    /**
     * Table 0 has no peers; 1 is a typical cluster; 2 mixes prefix lengths, nests subnets, repeats one subnet
     * for two hosts and gives one host two subnets.
     */
    static final List<RouteTable> TABLES = List.of(
            RouteTable.empty(Ipv4Subnet.parse("100.96.0.0/12"), Ipv4Subnet.parse("100.96.1.0/24"), 8285),
            new RouteTable(Ipv4Subnet.parse("100.96.0.0/12"), Ipv4Subnet.parse("100.96.1.0/24"), List.of(
                    Packets.peer("100.96.2.0/24", "198.18.0.2"),
                    Packets.peer("100.96.3.0/24", "198.18.0.3"),
                    Packets.peer("100.96.200.0/24", "198.18.0.200")), 8285),
            new RouteTable(Ipv4Subnet.parse("100.96.0.0/12"), Ipv4Subnet.parse("100.96.1.0/24"), List.of(
                    Packets.peer("100.96.4.0/22", "198.18.0.4"),
                    Packets.peer("100.96.5.0/24", "198.18.0.5"),
                    Packets.peer("100.96.5.128/25", "198.18.0.6"),
                    Packets.peer("100.96.6.7/32", "198.18.0.7"),
                    Packets.peer("100.97.0.0/16", "198.18.0.8"),
                    Packets.peer("100.96.9.0/24", "198.18.0.9"),
                    Packets.peer("100.96.9.0/24", "198.18.0.10"),
                    Packets.peer("100.96.10.0/24", "198.18.0.4"),
                    Packets.peer("0.0.0.0/0", "198.18.0.11")), 8285));

    /** The peers' port; a datagram from any other is refused. */
    private static final int PORT = 8285;

    static RouteTable table(int selector) {
        return TABLES.get(selector % TABLES.size());
    }

    /** 1 to 64: never 0, so a read before the packet would land in the canary. */
    static int offset(int selector) {
        return 1 + selector % 64;
    }

    /**
     * Property of {@link Forwarding#outbound}: it never throws and reads and writes only the packet; its decision
     * is the reference one (the peer with the longest prefix holding the destination, the last of equal
     * subnets; else {@code net-unreachable} inside the Network and {@code no-route} outside it;
     * {@code ttl-exceeded} for TTL 0 or 1; {@code tun-not-ipv4} for anything shorter than 20 bytes or not
     * version 4). A forwarded packet changed only in its TTL (one less) and header checksum, which still
     * verifies if it did; a dropped one is unchanged, to be quoted in an ICMP error.
     *
     * <p>Input: table selector, offset selector, then the packet.
     */
    @FuzzTest
    void outbound(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        RouteTable routes = table(in.u8());
        int off = offset(in.u8());
        byte[] packet = in.rest();
        int decision = outboundOnce(packet, off, routes, CanaryBuffer.FILL_A);
        assertEquals(decision, outboundOnce(packet, off, routes, CanaryBuffer.FILL_B),
                "the decision depends on bytes outside the packet");
    }

    private static int outboundOnce(byte[] packet, int off, RouteTable routes, byte fill) {
        CanaryBuffer b = new CanaryBuffer(packet, off, 64, fill);
        int decision = Forwarding.outbound(b.view(), off, packet.length, routes);
        b.assertCanaryIntact();
        int expected = referenceOutbound(packet, routes);
        assertEquals(describe(expected), describe(decision));
        if (decision < 0) {
            b.assertPacket(packet);
            return decision;
        }
        byte[] after = b.packet();
        for (int i = 0; i < packet.length; i++) {
            if (i != 8 && i != 10 && i != 11) {
                assertEquals(packet[i], after[i], "byte " + i + " of a forwarded packet changed");
            }
        }
        assertEquals((packet[8] & 0xff) - 1, after[8] & 0xff, "TTL");
        int ihl = (packet[0] & 0x0f) * 4;
        if (ihl >= 20 && ihl <= packet.length && Inet.naiveChecksum(packet, 0, ihl) == 0) {
            assertEquals(0, Inet.naiveChecksum(after, 0, ihl), "the header checksum no longer verifies");
        }
        return decision;
    }

    /** What {@link Forwarding#outbound} must decide, worked out the slow way from the peer list. */
    static int referenceOutbound(byte[] p, RouteTable routes) {
        if (p.length < 20 || (p[0] & 0xf0) != 0x40) {
            return Forwarding.drop(DropReason.TUN_NOT_IPV4);
        }
        int destination = (int) Inet.u32(p, 16);
        int peer = longestMatch(routes, destination);
        if (peer < 0) {
            return Forwarding.drop(routes.network().contains(destination) ? DropReason.NET_UNREACHABLE
                    : DropReason.NO_ROUTE);
        }
        return (p[8] & 0xff) <= 1 ? Forwarding.drop(DropReason.TTL_EXCEEDED) : peer;
    }

    static int longestMatch(RouteTable routes, int destination) {
        int best = -1;
        for (int i = 0; i < routes.peers().size(); i++) {
            Ipv4Subnet s = routes.peers().get(i).subnet();
            if (s.contains(destination) && (best < 0 || s.prefixLength() >= routes.peers().get(best).subnet()
                    .prefixLength())) {
                best = i;
            }
        }
        return best;
    }

    /**
     * Property of {@link Forwarding#sender} and {@link Forwarding#inbound}, as {@code UdpToTun} chains them: they
     * never throw, read only the datagram and write nothing, and decide what the reference decides: the sender
     * is the first peer with the datagram's source address if it sent from the peers' port; a datagram is let
     * in only if it comes from a peer, is IPv4 with its header and total length inside the datagram, carries an
     * inner source the sender may send from (in the Network, outside this host's subnet, and routed to a peer
     * with the sender's PublicIP, as WireGuard's AllowedIPs), and is for this host's subnet; the length to write
     * is its total length. Anything else is dropped for the first check it fails, in that order.
     *
     * <p>Input: table selector, sender selector (low 7 bits: 0 a stranger, n the PublicIP of peer n-1; the top
     * bit: another port than the peers'), offset selector, then the datagram.
     */
    @FuzzTest
    void inbound(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        RouteTable routes = table(in.u8());
        int sender = in.u8();
        int choice = (sender & 0x7f) % (routes.peers().size() + 1) - 1;
        int address = choice < 0 ? Packets.ip("198.18.0.250") : routes.peers().get(choice).publicIp();
        int port = (sender & 0x80) != 0 ? PORT + 1 : PORT;
        int off = offset(in.u8());
        byte[] packet = in.rest();
        int decision = inboundOnce(packet, off, address, port, routes, CanaryBuffer.FILL_A);
        assertEquals(decision, inboundOnce(packet, off, address, port, routes, CanaryBuffer.FILL_B),
                "the decision depends on bytes outside the datagram");
    }

    private static int inboundOnce(byte[] packet, int off, int address, int port, RouteTable routes, byte fill) {
        CanaryBuffer b = new CanaryBuffer(packet, off, 64, fill);
        int peer = Forwarding.sender(address, port, routes);
        int expectedPeer = referenceSender(address, port, routes);
        assertEquals(describe(expectedPeer), describe(peer), "the sender");
        int decision = Forwarding.inbound(b.view(), off, packet.length, peer, routes);
        b.assertCanaryIntact();
        b.assertPacket(packet);
        DropReason expected = referenceInbound(packet, peer, routes);
        assertEquals(expected == null ? "peer " + Inet.u16(packet, 2) : expected.key(), describe(decision));
        if (decision >= 0) {
            assertTrue(decision <= packet.length, "longer than the datagram");
        }
        return peer < 0 ? peer : decision; // the data path drops a datagram for its sender's reason first
    }

    /** The index of the first peer at {@code address}, if it sent from the peers' port. */
    static int referenceSender(int address, int port, RouteTable routes) {
        for (int i = 0; i < routes.peers().size(); i++) {
            if (routes.peers().get(i).publicIp() == address) {
                return port == routes.port() ? i : Forwarding.drop(DropReason.WRONG_PORT);
            }
        }
        return Forwarding.drop(DropReason.UNKNOWN_PEER);
    }

    /** The first documented check the datagram fails, or null; {@code peer} is the sender's verdict. */
    static DropReason referenceInbound(byte[] p, int peer, RouteTable routes) {
        if (peer < 0) {
            return DropReason.UNKNOWN_PEER;
        }
        if (p.length < 20) {
            return DropReason.SHORT;
        }
        if ((p[0] & 0xf0) != 0x40) {
            return DropReason.BAD_VERSION;
        }
        int ihl = (p[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > p.length) {
            return DropReason.BAD_HEADER_LENGTH;
        }
        int total = Inet.u16(p, 2);
        if (total < ihl || total > p.length) {
            return DropReason.BAD_TOTAL_LENGTH;
        }
        int source = (int) Inet.u32(p, 12);
        int owner = longestMatch(routes, source);
        if (!routes.network().contains(source) || routes.own().contains(source) || owner < 0
                || routes.peers().get(owner).publicIp() != routes.peers().get(peer).publicIp()) {
            return DropReason.SPOOFED_SOURCE;
        }
        return routes.own().contains((int) Inet.u32(p, 16)) ? null : DropReason.NOT_OUR_SUBNET;
    }

    /**
     * Property of the {@link Ipv4Packet} accessors on any 20 or more bytes: each field reads what the header
     * layout says (checked against a byte-array decode), only the packet's bytes are read, the checksum is RFC
     * 1071's, and {@link Ipv4Packet#decrementTtl} on a TTL above 1 keeps a valid checksum valid and changes
     * only the TTL and checksum bytes.
     *
     * <p>Input: offset selector, then the packet.
     */
    @FuzzTest
    void ipv4Packet(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        int off = offset(in.u8());
        byte[] p = in.rest();
        CanaryBuffer b = new CanaryBuffer(p, off, 64, CanaryBuffer.FILL_A);
        ByteBuffer v = b.view();
        assertEquals(Inet.naiveChecksum(p), Ipv4Packet.checksum(v, off, p.length));
        assertEquals(Inet.naiveChecksum(p), Checksums.checksum(v, off, p.length));
        if (p.length < Ipv4Packet.MIN_HEADER) {
            b.assertCanaryIntact();
            return;
        }
        assertEquals((p[0] & 0xff) >>> 4, Ipv4Packet.version(v, off));
        assertEquals((p[0] & 0x0f) * 4, Ipv4Packet.headerLength(v, off));
        assertEquals(Inet.u16(p, 2), Ipv4Packet.totalLength(v, off));
        assertEquals(Inet.u16(p, 6) & 0x1fff, Ipv4Packet.fragmentOffset(v, off));
        assertEquals(p[8] & 0xff, Ipv4Packet.ttl(v, off));
        assertEquals(p[9] & 0xff, Ipv4Packet.protocol(v, off));
        assertEquals(Inet.u16(p, 10), Ipv4Packet.headerChecksum(v, off));
        assertEquals((int) Inet.u32(p, 12), Ipv4Packet.source(v, off));
        int destination = (int) Inet.u32(p, 16);
        assertEquals(destination, Ipv4Packet.destination(v, off));
        int first = destination >>> 24;
        assertEquals(first == 0 || first >= 224, Ipv4Packet.isSpecial(destination));
        if ((p[8] & 0xff) > 1) {
            boolean valid = Inet.naiveChecksum(p, 0, 20) == 0;
            Ipv4Packet.decrementTtl(v, off);
            byte[] after = b.packet();
            byte[] expected = p.clone();
            expected[8]--;
            expected[10] = after[10];
            expected[11] = after[11];
            assertArrayEquals(expected, after, "decrementTtl changed more than the TTL and checksum");
            if (valid) {
                assertEquals(0, Inet.naiveChecksum(after, 0, 20), "decrementTtl broke a valid checksum");
            }
        }
        b.assertCanaryIntact();
    }

    static String describe(int decision) {
        return decision >= 0 ? "peer " + decision : Forwarding.reason(decision).key();
    }
}
