package io.weft.backend.udp;

import static io.weft.backend.udp.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class ForwardingTest {
    private static final Ipv4Subnet NETWORK = Ipv4Subnet.parse("100.96.0.0/16");
    private static final Ipv4Subnet OWN = Ipv4Subnet.parse("100.96.1.0/24");
    /** The sender P at 198.18.0.2 holds 100.96.2.0/24; a third host C holds 100.96.3.0/24. */
    private static final RouteTable ROUTES = new RouteTable(NETWORK, OWN, List.of(Packets.peer("100.96.2.0/24",
            "198.18.0.2"), Packets.peer("100.96.3.0/24", "198.18.0.3")), 8285);
    private static final int PEER = ip("198.18.0.2");

    private static String describe(int decision) {
        return decision >= 0 ? "go " + decision : Forwarding.reason(decision).key();
    }

    static Stream<Arguments> inboundCases() {
        return Stream.of(
                in("valid", PEER, 60, b -> { }, "go 60"),
                in("trailing bytes trimmed", PEER, 60, b -> b.putShort(2, (short) 40), "go 40"),
                in("stranger", ip("198.18.0.99"), 60, b -> { }, "unknown-peer"),
                in("own address is no peer", ip("198.18.0.1"), 60, b -> { }, "unknown-peer"),
                in("empty", PEER, 0, b -> { }, "short"),
                in("19 bytes", PEER, 19, b -> { }, "short"),
                in("IPv6", PEER, 60, b -> b.put(0, (byte) 0x60), "bad-version"),
                in("version 0", PEER, 60, b -> b.put(0, (byte) 0x05), "bad-version"),
                in("IHL 4", PEER, 60, b -> b.put(0, (byte) 0x44), "bad-header-length"),
                in("IHL beyond datagram", PEER, 40, b -> b.put(0, (byte) 0x4f), "bad-header-length"),
                in("total beyond datagram", PEER, 60, b -> b.putShort(2, (short) 61), "bad-total-length"),
                in("total below header", PEER, 60, b -> b.putShort(2, (short) 19), "bad-total-length"),
                in("total 65535", PEER, 60, b -> b.putShort(2, (short) 0xffff), "bad-total-length"),
                in("to a peer's subnet", PEER, 60, b -> b.putInt(16, ip("100.96.2.1")), "not-our-subnet"),
                in("outside the Network", PEER, 60, b -> b.putInt(16, ip("8.8.8.8")), "not-our-subnet"),
                in("last address of ours", PEER, 60, b -> b.putInt(16, ip("100.96.1.255")), "go 60"),
                in("source: last of the sender's subnet", PEER, 60, b -> b.putInt(12, ip("100.96.2.255")), "go 60"),
                in("source: the sender's device address", PEER, 60, b -> b.putInt(12, ip("100.96.2.0")), "go 60"),
                in("source: our device address", PEER, 60, b -> b.putInt(12, ip("100.96.1.0")), "spoofed-source"),
                in("source: in our subnet", PEER, 60, b -> b.putInt(12, ip("100.96.1.9")), "spoofed-source"),
                in("source: a third host's subnet", PEER, 60, b -> b.putInt(12, ip("100.96.3.4")), "spoofed-source"),
                in("source: unleased, in the Network", PEER, 60, b -> b.putInt(12, ip("100.96.9.9")), "spoofed-source"),
                in("source: outside the Network", PEER, 60, b -> b.putInt(12, ip("8.8.8.8")), "spoofed-source"),
                in("source: the sender's PublicIP", PEER, 60, b -> b.putInt(12, ip("198.18.0.2")), "spoofed-source"),
                in("source: our PublicIP", PEER, 60, b -> b.putInt(12, ip("198.18.0.1")), "spoofed-source"),
                in("source: loopback", PEER, 60, b -> b.putInt(12, ip("127.0.0.1")), "spoofed-source"),
                in("source spoofed and destination not ours", PEER, 60,
                        b -> b.putInt(12, ip("100.96.3.4")).putInt(16, ip("100.96.3.5")), "spoofed-source"),
                in("third host's packet from its own address", ip("198.18.0.3"), 60,
                        b -> b.putInt(12, ip("100.96.3.4")), "go 60"));
    }

    @ParameterizedTest(name = "{0}:{1} -> {2}")
    @CsvSource({
            "198.18.0.2, 8285, go 0",
            "198.18.0.3, 8285, go 1",
            "198.18.0.2, 8286, wrong-port",
            "198.18.0.2, 41234, wrong-port",
            "198.18.0.2, 0, wrong-port",
            "198.18.0.99, 8285, unknown-peer",
            "198.18.0.99, 41234, unknown-peer",
            "198.18.0.1, 8285, unknown-peer",
            "0.0.0.0, 0, unknown-peer",
    })
    void sender(String address, int port, String expected) {
        assertEquals(expected, describe(Forwarding.sender(ip(address), port, ROUTES)));
    }

    /**
     * A store writer can publish a lease overlapping this host's subnet, or reaching outside the Network: the
     * source check must still refuse every address of ours and every address outside the Network from every
     * peer, since the device accepts local sources (accept_local, for weft's own ICMP errors).
     */
    @ParameterizedTest(name = "hostile lease {0}")
    @ValueSource(strings = {"100.96.0.0/16", "100.96.0.0/23", "100.96.1.128/25", "100.96.1.0/24", "100.64.0.0/10",
            "0.0.0.0/0"})
    void noPeerCanSendFromOurSubnetOrOutsideTheNetwork(String hostile) {
        RouteTable routes = new RouteTable(NETWORK, OWN, List.of(Packets.peer("100.96.2.0/24", "198.18.0.2"),
                Packets.peer(hostile, "198.18.0.66"), Packets.peer("100.96.3.0/24", "198.18.0.3")), 8285);
        int[] outside = {ip("198.18.0.1"), ip("127.0.0.1"), ip("10.0.0.1"), ip("100.97.0.1"), ip("100.95.255.255"),
                ip("255.255.255.255"), 0};
        for (int peer = 0; peer < routes.peers().size(); peer++) {
            for (int source = OWN.base(); source <= OWN.base() + 255; source++) {
                assertEquals("spoofed-source", describe(inboundFrom(routes, peer, source)),
                        routes.peers().get(peer) + " from " + Ipv4.format(source));
            }
            for (int source : outside) {
                assertEquals("spoofed-source", describe(inboundFrom(routes, peer, source)),
                        routes.peers().get(peer) + " from " + Ipv4.format(source));
            }
        }
        int hostilePeer = 1;
        // The hostile lease does not take the longer prefixes of the other hosts either.
        assertEquals("spoofed-source", describe(inboundFrom(routes, hostilePeer, ip("100.96.3.4"))));
        assertEquals("spoofed-source", describe(inboundFrom(routes, hostilePeer, ip("100.96.2.4"))));
        assertEquals("go 60", describe(inboundFrom(routes, 0, ip("100.96.2.4"))));
    }

    @org.junit.jupiter.api.Test
    void aHostWithTwoLeasesMaySendFromBoth() {
        // A host whose lease moved is listed under both subnets until the old lease goes; peerAt finds the first.
        RouteTable routes = new RouteTable(NETWORK, OWN, List.of(Packets.peer("100.96.2.0/24", "198.18.0.2"),
                Packets.peer("100.96.7.0/24", "198.18.0.2"), Packets.peer("100.96.3.0/24", "198.18.0.3")), 8285);
        int sender = routes.peerAt(PEER);
        assertEquals("go 60", describe(inboundFrom(routes, sender, ip("100.96.2.9"))));
        assertEquals("go 60", describe(inboundFrom(routes, sender, ip("100.96.7.9"))));
        assertEquals("spoofed-source", describe(inboundFrom(routes, sender, ip("100.96.3.9"))));
    }

    /** A valid 60-byte packet from {@code source} to our device address, as peer {@code peer} sent it. */
    private static int inboundFrom(RouteTable routes, int peer, int source) {
        ByteBuffer b = Packets.ipv4("100.96.2.7", "100.96.1.5", 64, 17, 60);
        b.putInt(12, source);
        return Forwarding.inbound(b, 0, 60, peer, routes);
    }

    private static Arguments in(String name, int source, int length, Consumer<ByteBuffer> edit, String expected) {
        return Arguments.of(name, source, length, edit, expected);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("inboundCases")
    void inbound(String name, int source, int length, Consumer<ByteBuffer> edit, String expected) {
        ByteBuffer b = Packets.ipv4("100.96.2.7", "100.96.1.0", 64, 17, 60);
        b = ByteBuffer.allocate(128).put(b.array(), 0, 60);
        edit.accept(b);
        // The packet sits at an offset, as in a PacketBatch slot, to catch relative-index mistakes.
        ByteBuffer slot = ByteBuffer.allocate(256);
        slot.put(64, b.array(), 0, 128);
        assertEquals(expected, describe(Forwarding.inbound(slot, 64, length, ROUTES.peerAt(source), ROUTES)));
    }

    @ParameterizedTest(name = "{0} ttl {1}")
    @CsvSource({
            "100.96.2.9, 64, 60, go 0, 63",
            "100.96.2.9, 2, 60, go 0, 1",
            "100.96.2.9, 1, 60, ttl-exceeded, 1",
            "100.96.2.9, 0, 60, ttl-exceeded, 0",
            "100.96.9.9, 64, 60, net-unreachable, 64",
            "100.96.1.9, 64, 60, net-unreachable, 64",
            "192.168.1.1, 64, 60, no-route, 64",
            "100.96.2.9, 64, 19, tun-not-ipv4, 64",
    })
    void outbound(String destination, int ttl, int length, String expected, int ttlAfter) {
        ByteBuffer b = Packets.ipv4("100.96.1.0", destination, ttl, 1, 60);
        assertEquals(expected, describe(Forwarding.outbound(b, 0, length, ROUTES)));
        assertEquals(ttlAfter, Ipv4Packet.ttl(b, 0));
        assertEquals(0, Ipv4Packet.checksum(b, 0, 20), "checksum still verifies");
    }

    @org.junit.jupiter.api.Test
    void outboundIpv6IsNotIpv4() {
        ByteBuffer b = ByteBuffer.allocate(60);
        b.put(0, (byte) 0x60);
        assertEquals("tun-not-ipv4", describe(Forwarding.outbound(b, 0, 60, ROUTES)));
    }
}
