package io.weft.it;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.Network;
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
    public Backend create(BackendContext context) {
        return config -> {
            RecordingNetwork n = new RecordingNetwork(
                    context.leases().acquire(LeaseAttrs.of(context.publicIp(), NAME)), context.externalInterface().mtu());
            network.set(n);
            return n;
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
        private final int mtu;
        private volatile Lease lease;

        RecordingNetwork(Lease lease, int mtu) {
            this.lease = lease;
            this.mtu = mtu;
        }

        Map<Ipv4Subnet, String> peerIps() {
            Map<Ipv4Subnet, String> out = new HashMap<>();
            peers.forEach((s, l) -> out.put(s, l.attrs().publicIp()));
            return out;
        }

        @Override
        public Lease lease() {
            return lease;
        }

        @Override
        public int mtu() {
            return mtu;
        }

        @Override
        public void run() throws InterruptedException {
            closed.await();
        }

        @Override
        public void handleEvents(List<LeaseEvent> events) {
            for (LeaseEvent e : events) {
                if (e instanceof LeaseEvent.Added a) {
                    peers.put(a.subnet(), a.lease());
                } else {
                    peers.remove(e.subnet());
                }
            }
        }

        @Override
        public void leaseChanged(Lease newLease) {
            lease = newLease;
        }

        @Override
        public void close() {
            closed.countDown();
        }
    }
}
