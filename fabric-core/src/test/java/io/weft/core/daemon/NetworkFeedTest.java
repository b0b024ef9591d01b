package io.weft.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Lease changes reach the network as NetworkEvents, and live peer changes are timed. */
class NetworkFeedTest {
    private static final Lease B = new Lease(Ipv4Subnet.parse("10.5.2.0/24"), LeaseAttrs.of("198.18.0.2", "udp"),
            Instant.parse("2026-12-02T00:00:00Z"));
    private final List<NetworkEvent> applied = new ArrayList<>();
    private final List<Double> latencies = new ArrayList<>();
    private final NetworkFeed feed = new NetworkFeed(new Network() {
        @Override
        public void run() {
        }

        @Override
        public void handleEvents(List<NetworkEvent> events) {
            applied.addAll(events);
        }

        @Override
        public void close() {
        }
    }, latencies::add);

    @Test
    void peerEventsBecomeNetworkEventsInOrder() {
        feed.peerEvents(List.of(new LeaseEvent.Added(B), new LeaseEvent.Removed(B.subnet())), true);
        assertEquals(List.of(new NetworkEvent.PeerAdded(B), new NetworkEvent.PeerRemoved(B.subnet())), applied);
    }

    @Test
    void onlyLiveAdditionsAreTimedAndTheTimeIsSmallAndNotNegative() {
        feed.peerEvents(List.of(new LeaseEvent.Added(B)), false);
        assertEquals(List.of(), latencies, "a resync reports leases written long ago");
        feed.peerEvents(List.of(new LeaseEvent.Added(B), new LeaseEvent.Removed(Ipv4Subnet.parse("10.5.3.0/24"))), true);
        assertEquals(1, latencies.size());
        assertTrue(latencies.get(0) >= 0 && latencies.get(0) < 5, "measured on this host: " + latencies);
    }

    @Test
    void anOwnLeaseChangeIsAnEvent() {
        feed.leaseChanged(B);
        assertEquals(List.of(new NetworkEvent.LeaseChanged(B)), applied);
    }
}
