package io.weft.backend.udp;

import static io.weft.backend.udp.Packets.ip;
import static io.weft.backend.udp.Packets.peer;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.LeaseAttrs;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RouteTableTest {
    private static final Ipv4Subnet NETWORK = Ipv4Subnet.parse("100.96.0.0/16");
    private static final Ipv4Subnet OWN = Ipv4Subnet.parse("100.96.1.0/24");

    private static RouteTable table() {
        return new RouteTable(NETWORK, OWN, List.of(peer("100.96.2.0/24", "198.18.0.2"),
                peer("100.96.3.0/24", "198.18.0.3"), peer("100.96.4.0/22", "198.18.0.4"),
                peer("100.96.5.128/25", "198.18.0.5")), 8285);
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
            "100.96.2.0, 198.18.0.2",
            "100.96.2.255, 198.18.0.2",
            "100.96.3.77, 198.18.0.3",
            "100.96.4.1, 198.18.0.4",
            "100.96.7.255, 198.18.0.4",
            "100.96.5.1, 198.18.0.4",
            "100.96.5.129, 198.18.0.5",
            "100.96.1.5, none",
            "100.96.8.0, none",
            "10.0.0.1, none",
    })
    void longestPrefixMatch(String destination, String expected) {
        RouteTable t = table();
        int index = t.lookup(ip(destination));
        assertEquals(expected, index < 0 ? "none" : Ipv4.format(t.peers().get(index).publicIp()));
    }

    @Test
    void knowsPeerAddressesOnly() {
        RouteTable t = table();
        assertTrue(t.peerAt(ip("198.18.0.2")) >= 0);
        assertTrue(t.peerAt(ip("198.18.0.5")) >= 0);
        assertEquals(-1, t.peerAt(ip("198.18.0.1")));
        assertEquals(-1, t.peerAt(0));
        assertEquals(-1, RouteTable.empty(NETWORK, OWN, 8285).peerAt(ip("198.18.0.2")));
    }

    /** The source check follows the longest prefix, as routing does: a /25 inside another's /22 is the /25's. */
    @ParameterizedTest(name = "{1} from {0} -> {2}")
    @CsvSource({
            "198.18.0.4, 100.96.4.1, true",
            "198.18.0.4, 100.96.5.1, true",
            "198.18.0.4, 100.96.5.129, false",
            "198.18.0.5, 100.96.5.129, true",
            "198.18.0.5, 100.96.5.1, false",
            "198.18.0.2, 100.96.2.0, true",
            "198.18.0.2, 100.96.3.1, false",
            "198.18.0.2, 100.96.1.0, false",
            "198.18.0.2, 100.96.8.1, false",
            "198.18.0.2, 198.18.0.2, false",
    })
    void mayCarryOnlyTheSendersLongestPrefixRoutes(String sender, String source, boolean expected) {
        RouteTable t = table();
        assertEquals(expected, t.mayCarry(t.peerAt(ip(sender)), ip(source)));
    }

    @Test
    void manyPeersAllFound() {
        List<RouteTable.Peer> peers = new ArrayList<>();
        for (int i = 0; i < 250; i++) {
            Ipv4Subnet subnet = new Ipv4Subnet(ip("100.96.0.0") + (i << 8), 24);
            peers.add(new RouteTable.Peer(subnet, LeaseAttrs.of(Ipv4.format(ip("198.18.1.0") + i), "udp"),
                    new PeerCounters(), null));
        }
        RouteTable t = new RouteTable(NETWORK, OWN, peers, 8285);
        for (int i = 0; i < 250; i++) {
            assertEquals(i, t.lookup(ip("100.96.0.9") + (i << 8)));
            assertTrue(t.peerAt(ip("198.18.1.0") + i) >= 0);
        }
        assertEquals(-1, t.lookup(ip("100.96.250.1")));
    }

    @Test
    void sockaddrIsAfInetPortAndAddressInNetworkOrder() {
        RouteTable t = table();
        Pointer p = Pointer.wrap(Runtime.getSystemRuntime(), t.sockaddr(1), 16);
        ByteBuffer b = ByteBuffer.allocate(16);
        for (int i = 0; i < 16; i++) {
            b.put(i, p.getByte(i));
        }
        assertEquals(2, b.order(ByteOrder.nativeOrder()).getShort(0));
        assertEquals(8285, b.order(ByteOrder.BIG_ENDIAN).getShort(2) & 0xffff);
        assertEquals(ip("198.18.0.3"), b.getInt(4));
    }
}
