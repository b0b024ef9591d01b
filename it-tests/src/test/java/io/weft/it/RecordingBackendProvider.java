package io.weft.it;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkEvent;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A backend named {@code recording} that moves no packets (like {@code alloc}) but keeps the peer set the
 * daemon reported to it, so a test can see what the daemon's watcher delivered. Thread-safe.
 */
final class RecordingBackendProvider implements BackendProvider {
    static final String NAME = "recording";

    private final AtomicReference<RecordingNetwork> network = new AtomicReference<>();

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean forwardsPackets() {
        return false;
    }

    @Override
    public Backend create(BackendContext context) {
        return new Backend() {
            @Override
            public LeaseRequest prepare(NetworkConfig config) {
                return LeaseRequest.of(NAME, 0);
            }

            @Override
            public Network start(Lease lease, int mtu) {
                RecordingNetwork n = new RecordingNetwork();
                network.set(n);
                return n;
            }

            @Override
            public void close() {
            }
        };
    }

    /** The peers the daemon has reported so far: subnet → PublicIP. */
    Map<Ipv4Subnet, String> peers() {
        RecordingNetwork n = network.get();
        return n == null ? Map.of() : n.peerIps();
    }

    private static final class RecordingNetwork implements Network {
        private final Map<Ipv4Subnet, Lease> peers = new ConcurrentHashMap<>();
        private final CountDownLatch closed = new CountDownLatch(1);

        Map<Ipv4Subnet, String> peerIps() {
            Map<Ipv4Subnet, String> out = new HashMap<>();
            peers.forEach((s, l) -> out.put(s, l.attrs().publicIp()));
            return out;
        }

        @Override
        public void run() throws InterruptedException {
            closed.await();
        }

        @Override
        public void handleEvents(List<NetworkEvent> events) {
            for (NetworkEvent e : events) {
                if (e instanceof NetworkEvent.PeerAdded a) {
                    peers.put(a.subnet(), a.lease());
                } else if (e instanceof NetworkEvent.PeerRemoved r) {
                    peers.remove(r.subnet());
                }
            }
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
