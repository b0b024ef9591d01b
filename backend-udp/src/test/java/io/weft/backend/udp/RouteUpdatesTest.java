package io.weft.backend.udp;

import static io.weft.backend.udp.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.backend.NetworkEvent;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The peer diff: events in, the next route table out, each peer's transform state made once per change. */
class RouteUpdatesTest {
    private static final Ipv4Subnet NETWORK = Ipv4Subnet.parse("100.96.0.0/16");
    private static final Ipv4Subnet OWN = Ipv4Subnet.parse("100.96.1.0/24");

    /** A transform whose peer state is the lease it was made for; records each one it made. */
    private static final class Recording implements PacketTransform<Lease> {
        final List<Lease> made = new ArrayList<>();
        final List<List<Lease>> routed = new ArrayList<>();

        @Override
        public int headroom() {
            return 0;
        }

        @Override
        public int tailroom() {
            return 0;
        }

        @Override
        public Lease peerState(Lease peer) {
            made.add(peer);
            return peer.attrs().backendData().isNull() ? null : peer;
        }

        @Override
        public void routed(List<Lease> states) {
            routed.add(List.copyOf(states));
        }

        @Override
        public int seal(Lease peer, int queue, ByteBuffer buffer, int offset, int length, long nowNanos) {
            return length;
        }

        @Override
        public int open(Lease peer, int queue, ByteBuffer buffer, int offset, int length, long nowNanos) {
            return length;
        }
    }

    private final Recording transform = new Recording();
    private final RouteUpdates ipsec = new RouteUpdates("ipsec", transform);
    private final RouteUpdates udp = new RouteUpdates("udp", null);
    private final RouteTable empty = RouteTable.empty(NETWORK, OWN, 8285);

    private static Lease lease(String subnet, String publicIp, String type, String key) {
        return new Lease(Ipv4Subnet.parse(subnet), new LeaseAttrs(publicIp, null, type,
                key == null ? null : JsonNodeFactory.instance.objectNode().put("PublicKey", key)), null);
    }

    private static NetworkEvent added(Lease lease) {
        return new NetworkEvent.PeerAdded(lease);
    }

    @Test
    void theSameLeaseAgainKeepsItsEntryAndStateAndAChangedOneGetsANewState() {
        Lease b = lease("100.96.2.0/24", "198.18.0.2", "ipsec", "k1");
        RouteTable one = ipsec.apply(empty, List.of(added(b)));
        assertSame(b, one.state(one.lookup(ip("100.96.2.9"))), "state made before the table routes to the peer");
        assertSame(one, ipsec.apply(one, List.of(added(lease("100.96.2.0/24", "198.18.0.2", "ipsec", "k1")))));
        RouteTable rekeyed = ipsec.apply(one, List.of(added(lease("100.96.2.0/24", "198.18.0.2", "ipsec", "k2"))));
        assertEquals(2, transform.made.size());
        assertNotSame(one.state(0), rekeyed.state(0));
        assertSame(one.counters(0), rekeyed.counters(0), "counters outlive the change");
    }

    @Test
    void theTransformSeesEveryStateOfEachChangedTableAndNothingWhenNothingChanged() {
        Lease b = lease("100.96.2.0/24", "198.18.0.2", "ipsec", "k1");
        Lease c = lease("100.96.3.0/24", "198.18.0.3", "ipsec", "k2");
        Lease keyless = lease("100.96.4.0/24", "198.18.0.4", "ipsec", null);
        RouteTable two = ipsec.apply(empty, List.of(added(b), added(c), added(keyless)));
        assertEquals(List.of(List.of(b, c)), transform.routed, "states only, in table order, once per change");
        assertSame(two, ipsec.apply(two, List.of(added(b))));
        assertEquals(1, transform.routed.size());
        ipsec.apply(two, List.of(new NetworkEvent.PeerRemoved(b.subnet())));
        assertEquals(List.of(c), transform.routed.get(1), "a peer that left is not among them");
    }

    @Test
    void peersOfAnotherTypeOrWithoutUsableStateAndOwnSubnet() {
        RouteTable t = ipsec.apply(empty, List.of(added(lease("100.96.2.0/24", "198.18.0.2", "ipsec", null)),
                added(lease("100.96.3.0/24", "198.18.0.3", "udp", "k")),
                added(lease("100.96.1.0/24", "198.18.0.1", "ipsec", "k"))));
        assertEquals(1, t.peers().size(), t.peers().toString());
        assertNull(t.state(t.peerAt(ip("198.18.0.2"))), "routed, with no state: the transform drops its packets");
        assertEquals(-1, t.peerAt(ip("198.18.0.3")));
        RouteTable plain = udp.apply(empty, List.of(added(lease("100.96.4.0/24", "198.18.0.4", "", null))));
        assertEquals(0, plain.lookup(ip("100.96.4.1")), "udp also routes flannel's empty BackendType");
    }

    @Test
    void removalsAndAChangedOwnSubnet() {
        RouteTable t = udp.apply(empty, List.of(added(lease("100.96.2.0/24", "198.18.0.2", "udp", null)),
                added(lease("100.96.3.0/24", "198.18.0.3", "udp", null))));
        assertSame(t, udp.apply(t, List.of(new NetworkEvent.PeerRemoved(Ipv4Subnet.parse("100.96.9.0/24")))));
        RouteTable moved = udp.apply(t, List.of(new NetworkEvent.PeerRemoved(Ipv4Subnet.parse("100.96.2.0/24")),
                new NetworkEvent.LeaseChanged(lease("100.96.3.0/24", "198.18.0.1", "udp", null))));
        assertEquals(Ipv4Subnet.parse("100.96.3.0/24"), moved.own());
        assertEquals(List.of(), moved.peers(), "the peer that held the new own subnet is no peer any more");
        assertSame(moved, udp.apply(moved, List.of(new NetworkEvent.LeaseChanged(
                lease("100.96.3.0/24", "198.18.0.1", "udp", null)))));
    }
}
