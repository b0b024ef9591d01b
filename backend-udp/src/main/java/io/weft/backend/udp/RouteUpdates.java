package io.weft.backend.udp;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.spi.backend.NetworkEvent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The peer diff: the next {@link RouteTable} from the current one and a list of {@link NetworkEvent}s, with
 * no I/O (re-addressing the device is {@link UdpNetwork}'s). Only peers whose lease names this data path's
 * BackendType are routed to; a peer whose lease did not change keeps its entry, counters and transform state;
 * a new or changed peer gets its transform state here, before any table routes to it, and after a change the
 * transform sees every state of the next table ({@link PacketTransform#routed}). Used under
 * {@link UdpNetwork}'s lock; holds no state of its own.
 */
final class RouteUpdates {
    private static final Logger LOG = LoggerFactory.getLogger(RouteUpdates.class);
    private final String backendType;
    private final PacketTransform<?> transform;
    private final int queues;

    /**
     * @param backendType the BackendType peers must publish to be routed to ({@code udp} also accepts an empty
     *                    one, as flannel writes)
     * @param transform   makes each peer's state, or null for plain udp
     */
    RouteUpdates(String backendType, PacketTransform<?> transform) {
        this(backendType, transform, 1);
    }

    /** @param queues how many forwarding pairs count into each new peer's {@link PeerCounters} */
    RouteUpdates(String backendType, PacketTransform<?> transform, int queues) {
        this.backendType = backendType;
        this.transform = transform;
        this.queues = queues;
    }

    /** The table after {@code events}, in order; {@code current} itself when nothing changed. */
    RouteTable apply(RouteTable current, List<NetworkEvent> events) {
        Map<Ipv4Subnet, RouteTable.Peer> peers = new LinkedHashMap<>();
        for (RouteTable.Peer p : current.peers()) {
            peers.put(p.subnet(), p);
        }
        Ipv4Subnet own = current.own();
        boolean changed = false;
        for (NetworkEvent event : events) {
            if (event instanceof NetworkEvent.PeerAdded added) {
                changed |= add(peers, added.lease(), own);
            } else if (event instanceof NetworkEvent.PeerRemoved removed) {
                if (peers.remove(removed.subnet()) != null) {
                    LOG.debug("route to peer removed subnet={}", removed.subnet());
                    changed = true;
                }
            } else if (event instanceof NetworkEvent.LeaseChanged leaseChanged
                    && !leaseChanged.lease().subnet().equals(own)) {
                own = leaseChanged.lease().subnet();
                peers.remove(own);
                changed = true;
            }
        }
        if (!changed) {
            return current;
        }
        if (transform != null) {
            routed(transform, peers.values());
        }
        return new RouteTable(current.network(), own, List.copyOf(peers.values()), current.port());
    }

    /** Tells the transform every state the next table holds; they all came from it, so the cast holds. */
    @SuppressWarnings("unchecked")
    private static <S> void routed(PacketTransform<S> transform, Iterable<RouteTable.Peer> peers) {
        List<S> states = new ArrayList<>();
        for (RouteTable.Peer p : peers) {
            if (p.state() != null) {
                states.add((S) p.state());
            }
        }
        transform.routed(states);
    }

    private boolean add(Map<Ipv4Subnet, RouteTable.Peer> peers, Lease lease, Ipv4Subnet own) {
        Ipv4Subnet subnet = lease.subnet();
        String type = lease.attrs().backendType();
        boolean speaks = type.equalsIgnoreCase(backendType) || type.isEmpty() && backendType.equals(UdpBackend.TYPE);
        if (!speaks) {
            LOG.info("peer ignored subnet={} backendType={}: it does not speak {}", subnet, type, backendType);
            return peers.remove(subnet) != null;
        }
        if (subnet.equals(own)) {
            return false;
        }
        RouteTable.Peer before = peers.get(subnet);
        if (before != null && before.attrs().equals(lease.attrs())) {
            LOG.debug("peer unchanged subnet={}", subnet);
            return false;
        }
        Object state = transform == null ? null : transform.peerState(lease);
        peers.put(subnet, new RouteTable.Peer(subnet, lease.attrs(),
                before != null ? before.counters() : new PeerCounters(queues), state));
        LOG.debug("route to peer added subnet={} publicIp={}", subnet, lease.attrs().publicIp());
        return true;
    }
}
