package io.weft.core.backend.alloc;

import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkEvent;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The alloc backend's network: nothing to forward. {@link #run()} waits for close. Thread-safe. */
final class AllocNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(AllocNetwork.class);
    private final CountDownLatch closed = new CountDownLatch(1);

    @Override
    public void run() throws InterruptedException {
        closed.await();
    }

    @Override
    public void handleEvents(List<NetworkEvent> events) {
        for (NetworkEvent e : events) {
            LOG.debug("event {}", e);
        }
    }

    @Override
    public void close() {
        closed.countDown();
    }
}
