package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The kernel's answers (Linux 6.18, captured with strace {@code -e trace=recvmsg -e read=3} while iproute2 listed
 * a namespace set up as a flannel vxlan host) decode into weft's records; malformed ones decode to nothing.
 */
class RtDecoderTest {
    @BeforeEach
    void littleEndian() {
        Hex.assumeLittleEndian();
    }

    private static NetlinkMessage one(String hex) {
        byte[] b = Hex.bytes(hex);
        List<NetlinkMessage> messages = NetlinkMessage.parse(b, b.length);
        assertEquals(1, messages.size());
        return messages.get(0);
    }

    @Test
    void decodesAnOnlinkRoute() {
        // 100.96.3.0/24 via 100.96.3.0 dev flannel.1 onlink (RTA_TABLE 254 first, as the kernel dumps it)
        Route r = RtDecoder.route(one("""
                3c 00 00 00 18 00 22 00 0c 03 0f 6b ea 1f 00 00
                02 18 00 00 fe 03 00 01 04 00 00 00 08 00 0f 00
                fe 00 00 00 08 00 01 00 64 60 03 00 08 00 05 00
                64 60 03 00 08 00 04 00 04 00 00 00""")).orElseThrow();
        assertEquals(Route.via(Ipv4Subnet.parse("100.96.3.0/24"), Ipv4.parse("t", "100.96.3.0"), 4, true), r);
    }

    @Test
    void decodesAConnectedRouteWithoutGateway() {
        // 198.18.0.0/24 dev veth0 proto kernel scope link src 198.18.0.1
        Route r = RtDecoder.route(one("""
                3c 00 00 00 18 00 22 00 0c 03 0f 6b ea 1f 00 00 02 18 00 00 fe 02 fd 01
                10 00 00 00 08 00 0f 00 fe 00 00 00 08 00 01 00
                c6 12 00 00 08 00 07 00 c6 12 00 01 08 00 04 00
                03 00 00 00""")).orElseThrow();
        assertEquals(new Route(Ipv4Subnet.parse("198.18.0.0/24"), 0, 3, false, 254, 2, 253, 1), r);
    }

    @Test
    void decodesAPermanentNeighbour() {
        Neighbour n = RtDecoder.neighbour(one("""
                4c 00 00 00 1c 00 02 00 19 03 0f 6b 19 22 00 00
                02 00 00 00 04 00 00 00 80 00 00 01 08 00 01 00
                64 60 03 00 0a 00 02 00 0e 00 00 00 00 03 00 00
                08 00 04 00 00 00 00 00 14 00 03 00 01 00 00 00
                01 00 00 00 01 00 00 00 00 00 00 00""")).orElseThrow();
        assertEquals(Neighbour.permanent(4, Ipv4.parse("t", "100.96.3.0"), MacAddress.parse("t", "0e:00:00:00:00:03")),
                n);
        assertTrue(n.isPermanent());
    }

    @Test
    void decodesAVxlanFdbEntry() {
        FdbEntry e = RtDecoder.fdb(one("""
                44 00 00 00 1c 00 02 00 14 03 0f 6b f5 20 00 00
                07 00 00 00 04 00 00 00 c0 00 02 01 0a 00 02 00
                0e 00 00 00 00 03 00 00 08 00 01 00 c6 12 00 03
                14 00 03 00 00 00 00 00 03 00 00 00 03 00 00 00
                00 00 00 00""")).orElseThrow();
        assertEquals(FdbEntry.permanent(4, MacAddress.parse("t", "0e:00:00:00:00:03"), Ipv4.parse("t", "198.18.0.3")), e);
        // An AF_BRIDGE entry is not an ARP entry, and the other way round.
        assertTrue(RtDecoder.neighbour(one("""
                44 00 00 00 1c 00 02 00 14 03 0f 6b f5 20 00 00
                07 00 00 00 04 00 00 00 c0 00 02 01 0a 00 02 00
                0e 00 00 00 00 03 00 00 08 00 01 00 c6 12 00 03
                14 00 03 00 00 00 00 00 03 00 00 00 03 00 00 00
                00 00 00 00""")).isEmpty());
    }

    @Test
    void decodesAnAddress() {
        LinkAddress a = RtDecoder.address(one("""
                54 00 00 00 14 00 22 00 14 03 0f 6b 10 21 00 00
                02 20 80 00 04 00 00 00 08 00 01 00 64 60 01 00
                08 00 02 00 64 60 01 00 0e 00 03 00 66 6c 61 6e
                6e 65 6c 2e 31 00 00 00 08 00 08 00 80 00 00 00
                14 00 06 00 ff ff ff ff ff ff ff ff aa 7d 0d 00
                aa 7d 0d 00""")).orElseThrow();
        assertEquals(new LinkAddress(4, Ipv4.parse("t", "100.96.1.0"), 32), a);
        assertEquals(Ipv4Subnet.parse("100.96.1.0/32"), a.subnet());
    }

    @Test
    void decodesAVxlanLink() {
        // The kernel's flannel.1 message cut to the attributes weft reads (IFNAME, MTU, ADDRESS and the whole
        // IFLA_LINKINFO as the kernel wrote it), the lengths adjusted.
        Link l = RtDecoder.link(one("""
                2c 01 00 00 10 00 00 00 13 03 0f 6b 07 21 00 00
                00 00 01 00 04 00 00 00 43 10 01 00 00 00 00 00
                0e 00 03 00 66 6c 61 6e 6e 65 6c 2e 31 00 00 00
                08 00 04 00 aa 05 00 00 0a 00 01 00 0e 00 00 00
                00 01 00 00
                e8 00 12 00
                0a 00 01 00 76 78 6c 61 6e 00 00 00 d8 00 02 00
                08 00 01 00 01 00 00 00 08 00 03 00 03 00 00 00
                08 00 04 00 c6 12 00 01 05 00 05 00 00 00 00 00
                05 00 1c 00 00 00 00 00 05 00 06 00 00 00 00 00
                05 00 1d 00 00 00 00 00 08 00 1a 00 00 00 00 00
                08 00 20 00 00 00 00 00 05 00 07 00 00 00 00 00
                05 00 0b 00 00 00 00 00 05 00 0c 00 00 00 00 00
                05 00 0d 00 00 00 00 00 05 00 0e 00 00 00 00 00
                05 00 19 00 00 00 00 00 08 00 08 00 2c 01 00 00
                08 00 09 00 00 00 00 00 06 00 0f 00 21 18 00 00
                05 00 12 00 01 00 00 00 05 00 13 00 00 00 00 00
                05 00 14 00 00 00 00 00 05 00 15 00 00 00 00 00
                05 00 16 00 00 00 00 00 05 00 1f 00 01 00 00 00
                08 00 0a 00 00 00 00 00 0c 00 21 00 f7 ff ff ff
                00 00 00 ff""")).orElseThrow();
        assertEquals(new Link(4, "flannel.1", "vxlan", 1450, MacAddress.parse("t", "0e:00:00:00:00:01"), true,
                new VxlanSettings(1, Ipv4.parse("t", "198.18.0.1"), 3, 8472, false, false)), l);
    }

    @Test
    void readsTheKernelsErrnoAndItsExtendedAckText() {
        // ip route add 100.96.5.0/24 via 100.96.9.9 dev flannel.1: ENETUNREACH, the request echoed in full (no
        // NETLINK_CAP_ACK), then NLMSGERR_ATTR_MSG.
        RtDecoder.Ack ack = RtDecoder.ack(one("""
                68 00 00 00 02 00 00 02 13 03 0f 6b fe 20 00 00
                9b ff ff ff 34 00 00 00 18 00 05 06 13 03 0f 6b
                00 00 00 00 02 18 00 00 fe 03 00 01 00 00 00 00
                08 00 01 00 64 60 05 00 08 00 05 00 64 60 09 09
                08 00 04 00 04 00 00 00 20 00 01 00 4e 65 78 74
                68 6f 70 20 68 61 73 20 69 6e 76 61 6c 69 64 20
                67 61 74 65 77 61 79 00"""));
        assertEquals(new RtDecoder.Ack(101, "Nexthop has invalid gateway"), ack);
        // With NETLINK_CAP_ACK (NLM_F_CAPPED) only the request's header is echoed.
        assertEquals(new RtDecoder.Ack(101, "Nexthop has invalid gateway"), RtDecoder.ack(one("""
                44 00 00 00 02 00 00 03 13 03 0f 6b fe 20 00 00
                9b ff ff ff 34 00 00 00 18 00 05 06 13 03 0f 6b
                00 00 00 00 20 00 01 00 4e 65 78 74
                68 6f 70 20 68 61 73 20 69 6e 76 61 6c 69 64 20
                67 61 74 65 77 61 79 00""")));
        // A plain acknowledgement.
        assertEquals(new RtDecoder.Ack(0, ""), RtDecoder.ack(one("""
                24 00 00 00 02 00 00 01 13 03 0f 6b fe 20 00 00
                00 00 00 00 34 00 00 00 18 00 05 06 13 03 0f 6b
                00 00 00 00""")));
    }

    @Test
    void theFailureMessageNamesTheObjectTheErrnoAndTheKernelsText() {
        assertEquals("add route 100.96.5.0/24 via 100.96.9.9 dev flannel.1 failed: ENETUNREACH (errno 101, network is"
                + " unreachable) (kernel: Nexthop has invalid gateway): check the gateway",
                Rtnetlink.failure("add route 100.96.5.0/24 via 100.96.9.9 dev flannel.1",
                        new RtDecoder.Ack(101, "Nexthop has invalid gateway"), "check the gateway").getMessage());
        assertEquals("set MTU 9000 on device eth0 failed: EPERM (errno 1, operation not permitted): run weft as root"
                + " or with CAP_NET_ADMIN", Rtnetlink.failure("set MTU 9000 on device eth0", new RtDecoder.Ack(1, ""),
                "give a smaller MTU").getMessage());
    }

    @Test
    void malformedMessagesDecodeToNothingAndNeverThrow() {
        // A length past the datagram ends it.
        byte[] lying = Hex.bytes("ff 00 00 00 18 00 22 00 00 00 00 00 00 00 00 00 02 18 00 00");
        assertTrue(NetlinkMessage.parse(lying, lying.length).isEmpty());
        // A short rtmsg, and an attribute whose length runs past the message.
        assertTrue(RtDecoder.route(new NetlinkMessage(24, 0, 0, 0, new byte[] {2, 24})).isEmpty());
        Optional<Route> r = RtDecoder.route(new NetlinkMessage(24, 0, 0, 0, Hex.bytes(
                "02 18 00 00 fe 03 00 01 00 00 00 00 ff 00 01 00 64 60 03 00")));
        assertEquals(Optional.of(0), r.map(Route::gateway));
        assertEquals(new RtDecoder.Ack(71, ""), RtDecoder.ack(new NetlinkMessage(2, 0, 0, 0, new byte[3])));
        // Random bytes: nothing throws.
        Random random = new Random(13);
        for (int i = 0; i < 2000; i++) {
            byte[] junk = new byte[random.nextInt(80)];
            random.nextBytes(junk);
            for (NetlinkMessage m : NetlinkMessage.parse(junk, junk.length)) {
                RtDecoder.route(m);
                RtDecoder.link(m);
                RtDecoder.neighbour(m);
                RtDecoder.fdb(m);
                RtDecoder.address(m);
                RtDecoder.ack(m);
            }
            NetlinkMessage m = new NetlinkMessage(16 + random.nextInt(16), 0, 0, 0, junk);
            RtDecoder.route(m);
            RtDecoder.link(m);
            RtDecoder.neighbour(m);
            RtDecoder.fdb(m);
            RtDecoder.address(m);
            RtDecoder.ack(m);
        }
    }

    @Test
    void aLinkWithoutAMacHasNone() {
        Link lo = RtDecoder.link(one("""
                28 00 00 00 10 00 00 00 00 00 00 00 00 00 00 00
                00 00 04 03 01 00 00 00 49 00 01 00 00 00 00 00
                07 00 03 00 6c 6f 00 00""")).orElseThrow();
        assertEquals("lo", lo.name());
        assertNull(lo.mac());
        assertNull(lo.vxlan());
        assertEquals("", lo.kind());
        assertFalse(RtDecoder.link(new NetlinkMessage(16, 0, 0, 0, new byte[16])).isPresent());
    }
}
