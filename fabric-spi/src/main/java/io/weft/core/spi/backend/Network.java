package io.weft.core.spi.backend;

import java.util.List;

/**
 * A running data path for one lease: a blocking {@link #run()} loop, and events in. Nothing is called back
 * out. Implementations are thread-safe: events arrive on the daemon's threads while run() runs on its own.
 */
public interface Network extends AutoCloseable {

    /** Runs the data path until {@link #close()}; returns then. */
    void run() throws InterruptedException;

    /** Applies peer and own-lease changes, in order. Never includes this host's own lease as a peer. */
    void handleEvents(List<NetworkEvent> events);

    /** The data path's counters now; cheap enough to call on every metrics scrape. */
    default NetworkStats stats() {
        return NetworkStats.NONE;
    }

    /** Whether the data path is up and forwarding (devices configured, threads running). */
    default boolean isUp() {
        return true;
    }

    /** Stops {@link #run()} and releases the data path (devices, routes, sockets). Idempotent. */
    @Override
    void close();

    /**
     * Removes what the network keeps in the kernel across a restart so traffic flows while the daemon restarts (a
     * kernel backend's device, routes, neighbours): called just before {@link #close()} when this host leaves for
     * good ({@code --revoke-lease-on-exit}). A network whose close releases everything keeps this default, which
     * does nothing.
     */
    default void teardown() {
    }
}
