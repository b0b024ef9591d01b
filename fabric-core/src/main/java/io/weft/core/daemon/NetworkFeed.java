package io.weft.core.daemon;

import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands lease changes to the running network as {@link NetworkEvent}s: the watcher's peer events and the
 * keeper's own-lease changes. It logs each real change once and times each live peer change from the
 * moment the watcher delivered it to the moment the network has applied it (so the route is usable),
 * which is a time this host knows exactly. Called on the watcher's and the keeper's threads; the network
 * is thread-safe, and so is this.
 */
final class NetworkFeed {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkFeed.class);
    private final Network network;
    private final DoubleConsumer routeLatencySeconds;

    NetworkFeed(Network network, DoubleConsumer routeLatencySeconds) {
        this.network = network;
        this.routeLatencySeconds = routeLatencySeconds;
    }

    /** Peer changes from the watcher; {@code live} is false for the differences a resync found. */
    void peerEvents(List<LeaseEvent> events, boolean live) {
        long received = System.nanoTime();
        List<NetworkEvent> out = new ArrayList<>(events.size());
        for (LeaseEvent e : events) {
            if (e instanceof LeaseEvent.Added added) {
                out.add(new NetworkEvent.PeerAdded(added.lease()));
            } else {
                out.add(new NetworkEvent.PeerRemoved(e.subnet()));
            }
        }
        network.handleEvents(out);
        double seconds = (System.nanoTime() - received) / 1e9;
        for (LeaseEvent e : events) {
            if (e instanceof LeaseEvent.Added added) {
                LOG.info("peer added subnet={} publicIp={} backendType={}", e.subnet(), added.lease().attrs().publicIp(),
                        added.lease().attrs().backendType());
                if (live) {
                    routeLatencySeconds.accept(seconds);
                }
            } else {
                LOG.info("peer removed subnet={}", e.subnet());
            }
        }
    }

    /** This host's lease was re-acquired, perhaps with another subnet. */
    void leaseChanged(Lease lease) {
        network.handleEvents(List.of(new NetworkEvent.LeaseChanged(lease)));
    }
}
