package io.weft.core.lease;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.store.LeaseWatch;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.WatchResult;
import java.time.Duration;
import io.weft.core.runtime.Backoff;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the store's lease snapshots and changes into peer events: {@link LeaseEvent.Added} when a peer's
 * lease appears or its attributes change, {@link LeaseEvent.Removed} when it goes. A renewal that changes
 * only the expiry is counted ({@link #renewals()}), not reported. The peer set and its diff are
 * {@link PeerSet}'s; this class feeds it from the store: after a compaction or a lost watch it resyncs from a
 * snapshot, so exactly the difference is reported. This host's own lease is never reported as a peer; its
 * disappearance goes to {@code onOwnLeaseLost}.
 *
 * <p>It keeps one {@link LeaseWatch} open from the revision of its snapshot and reads it for as long as it lasts,
 * opening another only after a failure, a compaction or a requested resync ({@link #watchOpens()}). Each read
 * takes all that arrived as one batch, handed on in one call, so a burst of N lease events (a cold start, a
 * resync) costs the network a handful of route-table rebuilds ({@link #peerBatches()}), not N; the work here per
 * batch is the size of the batch, never the number of peers.
 *
 * <p>{@link #poll(Duration)} does one round, for tests; {@link #run()} loops it on the thread the daemon
 * owns, until that thread is interrupted, and closes the watch. Not thread-safe but for the documented readers:
 * one thread polls.
 */
public final class LeaseWatcher implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseWatcher.class);
    static final Duration POLL_WAIT = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    /** Receives peer events; {@code live} is false for the differences a resync found. */
    @FunctionalInterface
    public interface PeerEvents {
        void accept(List<LeaseEvent> events, boolean live);
    }

    private final Store store;
    private final Supplier<Optional<Lease>> ownLease;
    private final PeerEvents onPeerEvents;
    private final Consumer<Ipv4Subnet> onOwnLeaseLost;
    private final PeerSet peers = new PeerSet();
    private final AtomicBoolean resyncRequested = new AtomicBoolean();
    private final AtomicLong recoveries = new AtomicLong();
    private final AtomicLong renewals = new AtomicLong();
    private final AtomicLong watchOpens = new AtomicLong();
    private final AtomicLong peerBatches = new AtomicLong();
    private long revision = -1;
    private LeaseWatch watch;

    /**
     * @param ownLease       this host's lease now, read at each event
     * @param onPeerEvents   receives each non-empty batch of peer events, in order
     * @param onOwnLeaseLost told when this host's lease is deleted, expires or passes to another host
     */
    public LeaseWatcher(Store store, Supplier<Optional<Lease>> ownLease, PeerEvents onPeerEvents,
            Consumer<Ipv4Subnet> onOwnLeaseLost) {
        this.store = Objects.requireNonNull(store, "store is null");
        this.ownLease = Objects.requireNonNull(ownLease, "ownLease is null");
        this.onPeerEvents = Objects.requireNonNull(onPeerEvents, "onPeerEvents is null");
        this.onOwnLeaseLost = Objects.requireNonNull(onOwnLeaseLost, "onOwnLeaseLost is null");
    }

    /**
     * The peers reported so far, by subnet: a read-only live view that the polling thread updates as it reports
     * (weakly consistent while a batch is applied); safe from any thread.
     */
    public Map<Ipv4Subnet, Lease> peers() {
        return peers.view();
    }

    /** How many times a lease watch was opened: once at start, then once after each failure, compaction or resync. */
    public long watchOpens() {
        return watchOpens.get();
    }

    /** How many batches of peer events went to {@code onPeerEvents} (each is one route-table rebuild). */
    public long peerBatches() {
        return peerBatches.get();
    }

    /** How many times the watch recovered after failing; safe from any thread. */
    public long recoveries() {
        return recoveries.get();
    }

    /** How many peer lease renewals (nothing but the expiry changed) were seen; safe from any thread. */
    public long renewals() {
        return renewals.get();
    }

    /** Forgets the watch and its position, so the next poll resyncs from a snapshot (after a lost watch). */
    void invalidate() {
        revision = -1;
        closeWatch();
    }

    private void closeWatch() {
        if (watch != null) {
            watch.close();
            watch = null;
        }
    }

    /**
     * Asks for a resync at the next poll, from any thread: after this host moved to another subnet, the
     * lease on its old subnet (perhaps another host's now) must be reported as a peer.
     */
    public void requestResync() {
        resyncRequested.set(true);
    }

    /** One round: a snapshot if none yet, otherwise a watch of up to {@code maxWait}. Returns what it reported. */
    public List<LeaseEvent> poll(Duration maxWait) throws InterruptedException {
        PeerSet.Diff diff;
        boolean live = false;
        if (resyncRequested.getAndSet(false) || revision < 0) {
            // The watch continues from the snapshot's revision: one still open from elsewhere would repeat or skip.
            closeWatch();
            var snapshot = store.listLeases();
            diff = peers.resync(snapshot.leases(), ownLease.get());
            revision = snapshot.revision();
            LOG.debug("resynced peers={} revision={}", peers.size(), revision);
        } else {
            if (watch == null) {
                watch = store.openLeaseWatch(revision);
                watchOpens.incrementAndGet();
                LOG.debug("lease watch opened after revision={}", revision);
            }
            WatchResult result;
            try {
                result = watch.next(maxWait);
            } catch (RuntimeException e) {
                closeWatch();
                throw e;
            }
            if (result instanceof WatchResult.Compacted compacted) {
                LOG.info("watch revision {} was compacted; resyncing from snapshot at revision {}", revision,
                        compacted.revision());
                closeWatch();
                diff = peers.resync(compacted.snapshot().leases(), ownLease.get());
                revision = compacted.snapshot().revision();
            } else {
                diff = peers.apply(((WatchResult.Changes) result).events(), ownLease.get());
                revision = result.revision();
                live = true;
            }
        }
        renewals.addAndGet(diff.renewals());
        diff.ownLost().ifPresent(onOwnLeaseLost);
        if (!diff.events().isEmpty()) {
            peerBatches.incrementAndGet();
            try {
                onPeerEvents.accept(diff.events(), live);
            } catch (RuntimeException e) {
                // The backend did not take these events: forget what was reported so the resync that
                // follows the failure reports every peer again.
                peers.clear();
                throw e;
            }
        }
        return diff.events();
    }

    /**
     * Polls until its thread is interrupted. A failed watch is logged once per outage, retried with capped
     * exponential backoff, and followed by a resync, so no change is lost.
     */
    public void run() throws InterruptedException {
        try {
            loop();
        } finally {
            closeWatch();
        }
    }

    private void loop() throws InterruptedException {
        Backoff backoff = new Backoff(Duration.ofSeconds(1), MAX_BACKOFF);
        boolean failing = false;
        while (!Thread.currentThread().isInterrupted()) {
            try {
                poll(POLL_WAIT);
                if (failing) {
                    recoveries.incrementAndGet();
                    LOG.info("lease watch recovered; peers={}", peers.size());
                    failing = false;
                }
                backoff.reset();
            } catch (RuntimeException e) {
                Duration delay = backoff.next();
                if (!failing) {
                    LOG.warn("lease watch failed error=\"{}\"; retrying with backoff up to {}s", e.getMessage(),
                            backoff.max().toSeconds());
                    failing = true;
                } else {
                    LOG.debug("lease watch still failing error=\"{}\"; next try in {}ms", e.getMessage(),
                            delay.toMillis());
                }
                invalidate();
                Thread.sleep(delay.toMillis());
            }
        }
        throw new InterruptedException("lease watcher stopped");
    }

    /** Closes the open watch, for a caller that drove {@link #poll} itself; {@link #run()} closes its own. */
    @Override
    public void close() {
        closeWatch();
    }
}
