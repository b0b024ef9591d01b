package io.weft.core.spi.store;

import java.time.Duration;

/**
 * One open watch of the leases, from the revision it was opened after: each {@link #next} returns the changes
 * that arrived since the last call, so a watcher that keeps one open sees every change once, in order, without
 * asking the store again. A {@link WatchResult.Compacted} result, or a {@link io.weft.core.WeftException} from
 * {@link #next}, ends it: close it and open another from the revision the caller has seen (a snapshot's, after a
 * compaction). Owned and read by one thread; {@link #close()} may come from any thread.
 */
public interface LeaseWatch extends AutoCloseable {

    /**
     * Waits up to {@code maxWait} for the first changes not yet returned, then returns them with every other
     * change that has already arrived, in revision order: {@link WatchResult.Changes} (empty after the wait with
     * none), or {@link WatchResult.Compacted} with a fresh snapshot when the changes are no longer kept.
     */
    WatchResult next(Duration maxWait) throws InterruptedException;

    /** Stops watching; idempotent. */
    @Override
    void close();
}
