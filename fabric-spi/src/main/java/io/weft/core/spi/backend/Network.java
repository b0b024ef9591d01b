package io.weft.core.spi.backend;

import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import java.util.List;

/**
 * A running data path: this host's lease, its MTU and a blocking {@link #run()} loop. The daemon feeds it
 * peer changes. Implementations are thread-safe: events arrive on the watcher's thread while run() runs on
 * its own.
 */
public interface Network extends AutoCloseable {

    /** This host's current lease. */
    Lease lease();

    /** The MTU containers should use on this network. */
    int mtu();

    /** Runs the data path until {@link #close()}; returns then. */
    void run() throws InterruptedException;

    /** Peers came or went. Never includes this host's own lease. */
    void handleEvents(List<LeaseEvent> events);

    /** This host's lease was re-acquired, perhaps with another subnet. */
    default void leaseChanged(Lease lease) {
    }

    /** The data path's counters now; cheap enough to call on every metrics scrape. */
    default NetworkStats stats() {
        return NetworkStats.NONE;
    }

    /** Whether this backend moves packets; weft installs iptables rules only for one that does. */
    default boolean forwardsPackets() {
        return true;
    }

    /** Whether the data path is up and forwarding (devices configured, threads running). */
    default boolean isUp() {
        return true;
    }

    /** Stops {@link #run()} and releases the data path (devices, routes, sockets). Idempotent. */
    @Override
    void close();
}
