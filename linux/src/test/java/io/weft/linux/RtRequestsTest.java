package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Each request weft sends equals, byte for byte, the one iproute2 6.1 sends for the same command, as strace
 * ({@code -e trace=sendmsg -e write=3}) printed it; the sequence number is iproute2's, given to the builder.
 */
class RtRequestsTest {
    private static final int SEQ = 0x6b0f02a6;
    private static final int FLANNEL_1 = 4;
    private static final MacAddress PEER_MAC = MacAddress.parse("test", "0e:00:00:00:00:03");

    @BeforeEach
    void littleEndian() {
        Hex.assumeLittleEndian();
    }

    private static void assertBytes(String expected, byte[] actual) {
        assertEquals(Hex.of(Hex.bytes(expected)), Hex.of(actual));
    }

    @Test
    void createsAVxlanDeviceAsIpLinkAdd() {
        // ip link add flannel.7 mtu 1450 address 0e:00:00:00:00:01 type vxlan id 7 local 198.18.0.1 dev veth0
        //   nolearning dstport 4789 gbp
        assertBytes("""
                84 00 00 00 10 00 05 06 a6 02 0f 6b 00 00 00 00
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                08 00 04 00 aa 05 00 00 0a 00 01 00 0e 00 00 00
                00 01 00 00 0e 00 03 00 66 6c 61 6e 6e 65 6c 2e
                37 00 00 00 40 00 12 00 09 00 01 00 76 78 6c 61
                6e 00 00 00 30 00 02 00 08 00 03 00 03 00 00 00
                04 00 17 00 08 00 01 00 07 00 00 00 08 00 04 00
                c6 12 00 01 05 00 07 00 00 00 00 00 06 00 0f 00
                12 b5 00 00""", RtRequests.newVxlan(SEQ, "flannel.7", 1450, MacAddress.parse("t", "0e:00:00:00:00:01"),
                new VxlanSettings(7, Ipv4.parse("t", "198.18.0.1"), 3, 4789, false, true)));
    }

    @Test
    void createsAVxlanDeviceWithTheKernelsDefaultPortAndLearning() {
        // ip link add name flannel.7 mtu 1450 address 0e:00:00:00:00:01 type vxlan id 7 local 198.18.0.1
        //   dev veth0 learning (no dstport: the kernel's 8472); iproute2 put address before mtu in that capture,
        //   so this literal has them in weft's order, mtu first, as in the test above.
        assertBytes("""
                78 00 00 00 10 00 05 06 a6 02 0f 6b 00 00 00 00
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00
                08 00 04 00 aa 05 00 00 0a 00 01 00 0e 00 00 00
                00 01 00 00 0e 00 03 00 66 6c 61 6e 6e 65 6c 2e
                37 00 00 00 34 00 12 00 09 00 01 00 76 78 6c 61
                6e 00 00 00 24 00 02 00 08 00 03 00 03 00 00 00
                08 00 01 00 07 00 00 00 08 00 04 00 c6 12 00 01
                05 00 07 00 01 00 00 00""", RtRequests.newVxlan(SEQ, "flannel.7", 1450,
                MacAddress.parse("t", "0e:00:00:00:00:01"),
                new VxlanSettings(7, Ipv4.parse("t", "198.18.0.1"), 3, 0, true, false)));
    }

    @Test
    void setsMtuMacAndUpAsIpLinkSet() {
        // ip link set flannel.1 mtu 1450
        assertBytes("""
                28 00 00 00 10 00 05 00 a6 02 0f 6b 00 00 00 00
                00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 00
                08 00 04 00 aa 05 00 00""", RtRequests.setMtu(SEQ, FLANNEL_1, 1450));
        // ip link set flannel.1 address 0e:00:00:00:00:01
        assertBytes("""
                2c 00 00 00 10 00 05 00 a6 02 0f 6b 00 00 00 00
                00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 00
                0a 00 01 00 0e 00 00 00 00 01 00 00""",
                RtRequests.setMac(SEQ, FLANNEL_1, MacAddress.parse("t", "0e:00:00:00:00:01")));
        // ip link set flannel.1 up
        assertBytes("""
                20 00 00 00 10 00 05 00 a6 02 0f 6b 00 00 00 00
                00 00 00 00 04 00 00 00 01 00 00 00 01 00 00 00""", RtRequests.setUp(SEQ, FLANNEL_1));
        // ip link del flannel.1
        assertBytes("""
                20 00 00 00 11 00 05 00 a6 02 0f 6b 00 00 00 00
                00 00 00 00 04 00 00 00 00 00 00 00 00 00 00 00""", RtRequests.deleteLink(SEQ, FLANNEL_1));
    }

    @Test
    void addsAndDeletesAnAddressAsIpAddr() {
        LinkAddress a = new LinkAddress(3, Ipv4.parse("t", "100.96.1.0"), 32);
        // ip addr replace 100.96.1.0/32 dev veth0
        assertBytes("""
                28 00 00 00 14 00 05 05 a6 02 0f 6b 00 00 00 00
                02 20 00 00 03 00 00 00 08 00 02 00 64 60 01 00
                08 00 01 00 64 60 01 00""", RtRequests.replaceAddress(SEQ, a));
        // ip addr del 100.96.1.0/32 dev veth0
        assertBytes("""
                28 00 00 00 15 00 05 00 a6 02 0f 6b 00 00 00 00
                02 20 00 00 03 00 00 00 08 00 02 00 64 60 01 00
                08 00 01 00 64 60 01 00""", RtRequests.deleteAddress(SEQ, a));
    }

    @Test
    void replacesAndDeletesAnOnlinkRouteAsIpRoute() {
        Route r = Route.via(Ipv4Subnet.parse("100.96.3.0/24"), Ipv4.parse("t", "100.96.3.0"), FLANNEL_1, true);
        // ip route replace 100.96.3.0/24 via 100.96.3.0 dev flannel.1 onlink
        assertBytes("""
                34 00 00 00 18 00 05 05 a6 02 0f 6b 00 00 00 00
                02 18 00 00 fe 03 00 01 04 00 00 00 08 00 01 00
                64 60 03 00 08 00 05 00 64 60 03 00 08 00 04 00
                04 00 00 00""", RtRequests.replaceRoute(SEQ, r));
        // ip route del 100.96.3.0/24 via 100.96.3.0 dev flannel.1 onlink
        assertBytes("""
                34 00 00 00 19 00 05 00 a6 02 0f 6b 00 00 00 00
                02 18 00 00 fe 00 ff 00 04 00 00 00 08 00 01 00
                64 60 03 00 08 00 05 00 64 60 03 00 08 00 04 00
                04 00 00 00""", RtRequests.deleteRoute(SEQ, r));
    }

    @Test
    void replacesARouteViaAPeersPublicIpAsIpRoute() {
        // ip route replace 100.96.3.0/24 via 198.18.0.3 dev veth0
        assertBytes("""
                34 00 00 00 18 00 05 05 a6 02 0f 6b 00 00 00 00
                02 18 00 00 fe 03 00 01 00 00 00 00 08 00 01 00
                64 60 03 00 08 00 05 00 c6 12 00 03 08 00 04 00
                03 00 00 00""", RtRequests.replaceRoute(SEQ,
                Route.via(Ipv4Subnet.parse("100.96.3.0/24"), Ipv4.parse("t", "198.18.0.3"), 3, false)));
    }

    @Test
    void replacesAndDeletesAPermanentNeighbourAsIpNeigh() {
        // ip neigh replace 100.96.3.0 lladdr 0e:00:00:00:00:03 dev flannel.1 nud permanent
        assertBytes("""
                30 00 00 00 1c 00 05 05 a6 02 0f 6b 00 00 00 00
                02 00 00 00 04 00 00 00 80 00 00 00 08 00 01 00
                64 60 03 00 0a 00 02 00 0e 00 00 00 00 03 00 00""",
                RtRequests.replaceNeighbour(SEQ, Neighbour.permanent(FLANNEL_1, Ipv4.parse("t", "100.96.3.0"), PEER_MAC)));
        // ip neigh del 100.96.3.0 dev flannel.1
        assertBytes("""
                24 00 00 00 1d 00 05 00 a6 02 0f 6b 00 00 00 00
                02 00 00 00 04 00 00 00 80 00 00 00 08 00 01 00
                64 60 03 00""", RtRequests.deleteNeighbour(SEQ, FLANNEL_1, Ipv4.parse("t", "100.96.3.0")));
    }

    @Test
    void appendsReplacesAndDeletesAnFdbEntryAsBridgeFdb() {
        FdbEntry e = FdbEntry.permanent(FLANNEL_1, PEER_MAC, Ipv4.parse("t", "198.18.0.3"));
        // bridge fdb append 0e:00:00:00:00:03 dev flannel.1 dst 198.18.0.3 self permanent
        assertBytes("""
                30 00 00 00 1c 00 05 0c a6 02 0f 6b 00 00 00 00
                07 00 00 00 04 00 00 00 c0 00 02 00 0a 00 02 00
                0e 00 00 00 00 03 00 00 08 00 01 00 c6 12 00 03""", RtRequests.appendFdb(SEQ, e));
        // bridge fdb replace ... self permanent
        assertBytes("""
                30 00 00 00 1c 00 05 05 a6 02 0f 6b 00 00 00 00
                07 00 00 00 04 00 00 00 c0 00 02 00 0a 00 02 00
                0e 00 00 00 00 03 00 00 08 00 01 00 c6 12 00 03""", RtRequests.replaceFdb(SEQ, e));
        // bridge fdb del 0e:00:00:00:00:03 dev flannel.1 dst 198.18.0.3 self
        assertBytes("""
                30 00 00 00 1d 00 05 00 a6 02 0f 6b 00 00 00 00
                07 00 00 00 04 00 00 00 c0 00 02 00 0a 00 02 00
                0e 00 00 00 00 03 00 00 08 00 01 00 c6 12 00 03""", RtRequests.deleteFdb(SEQ, e));
    }

    @Test
    void dumpsAsIproute2ListsRoutesNeighboursAndFdb() {
        // ip -4 route show table all
        assertBytes("""
                1c 00 00 00 1a 00 01 03 a6 02 0f 6b 00 00 00 00
                02 00 00 00 00 00 00 00 00 00 00 00""", RtRequests.dumpRoutes(SEQ));
        // ip -4 neigh show
        assertBytes("""
                1c 00 00 00 1e 00 01 03 a6 02 0f 6b 00 00 00 00
                02 00 00 00 00 00 00 00 00 00 00 00""", RtRequests.dumpNeighbours(SEQ));
        // bridge fdb show
        assertBytes("""
                1c 00 00 00 1e 00 01 03 a6 02 0f 6b 00 00 00 00
                07 00 00 00 00 00 00 00 00 00 00 00""", RtRequests.dumpFdb(SEQ));
        // ip link show, without iproute2's IFLA_EXT_MASK attribute
        assertBytes("""
                20 00 00 00 12 00 01 03 a6 02 0f 6b 00 00 00 00
                00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00""", RtRequests.dumpLinks(SEQ));
        // ip -4 addr show: the ifaddrmsg with AF_INET
        assertBytes("""
                18 00 00 00 16 00 01 03 a6 02 0f 6b 00 00 00 00
                02 00 00 00 00 00 00 00""", RtRequests.dumpAddresses(SEQ));
    }
}
