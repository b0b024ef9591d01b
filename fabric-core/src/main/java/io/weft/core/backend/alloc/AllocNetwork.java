package io.weft.core.backend.alloc;

import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.backend.Network;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The alloc backend's network: a lease and nothing else. {@link #run()} waits for close. Thread-safe. */
final class AllocNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(AllocNetwork.class);
    private final CountDownLatch closed = new CountDownLatch(1);
    private final int mtu;
    private volatile Lease lease;

    AllocNetwork(Lease lease, int mtu) {
        this.lease = lease;
        this.mtu = mtu;
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
            LOG.debug("peer event {}", e);
        }
    }

    @Override
    public boolean forwardsPackets() {
        return false;
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
