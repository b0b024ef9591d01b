package io.weft.core.lease;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.store.LeaseSnapshot;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.WatchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns the store's lease snapshots and changes into peer events: {@link LeaseEvent.Added} when a peer's
 * lease appears or changes, {@link LeaseEvent.Removed} when it goes. It keeps the peer set it has reported,
 * so after a compaction or a lost watch it resyncs from a snapshot and reports exactly the difference.
 * This host's own lease is never reported as a peer; its disappearance goes to {@code onOwnLeaseLost}.
 *
 * <p>{@link #poll(Duration)} does one round, for tests; {@link #run()} loops it on the watcher thread.
 * Not thread-safe: one thread polls.
 */
public final class LeaseWatcher {
    private static final Logger LOG = LoggerFactory.getLogger(LeaseWatcher.class);
    static final Duration POLL_WAIT = Duration.ofSeconds(5);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final Store store;
    private final Supplier<Optional<Lease>> ownLease;
    private final PeerEvents onPeerEvents;
    private final Consumer<Ipv4Subnet> onOwnLeaseLost;
    private final Map<Ipv4Subnet, Lease> peers = new HashMap<>();
    private volatile Map<Ipv4Subnet, Lease> published = Map.of();
    private final java.util.concurrent.atomic.AtomicBoolean resyncRequested = new java.util.concurrent.atomic.AtomicBoolean();

    /** Receives peer events; {@code live} is false for the differences a resync found. */
    @FunctionalInterface
    public interface PeerEvents {
        void accept(List<LeaseEvent> events, boolean live);
    }
    private long revision = -1;
    private volatile boolean closed;
    private final java.util.concurrent.atomic.AtomicLong recoveries = new java.util.concurrent.atomic.AtomicLong();

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

    /** The peers reported so far, by subnet, as of the last poll; safe from any thread. */
    public Map<Ipv4Subnet, Lease> peers() {
        return published;
    }

    /** How many times the watch recovered after failing. */
    public long recoveries() {
        return recoveries.get();
    }

    /** Forgets the watch position, so the next poll resyncs from a snapshot (after a lost watch). */
    void invalidate() {
        revision = -1;
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
        List<LeaseEvent> events;
        boolean live = false;
        if (resyncRequested.getAndSet(false) || revision < 0) {
            events = resync(store.listLeases());
        } else {
            WatchResult result = store.watchLeases(revision, maxWait);
            if (result instanceof WatchResult.Compacted compacted) {
                LOG.info("watch revision {} was compacted; resyncing from snapshot at revision {}", revision,
                        compacted.revision());
                events = resync(compacted.snapshot());
            } else {
                events = apply(((WatchResult.Changes) result).events());
                revision = result.revision();
                live = true;
            }
        }
        published = Map.copyOf(peers);
        if (!events.isEmpty()) {
            try {
                onPeerEvents.accept(events, live);
            } catch (RuntimeException e) {
                // The backend did not take these events: forget what was reported so the resync that
                // follows the failure reports every peer again.
                peers.clear();
                published = Map.of();
                throw e;
            }
        }
        return events;
    }

    private List<LeaseEvent> resync(LeaseSnapshot snapshot) {
        Map<Ipv4Subnet, Lease> now = new HashMap<>();
        Optional<Lease> own = ownLease.get();
        boolean ownSeen = false;
        for (Lease l : snapshot.leases()) {
            if (isOwnSubnet(own, l.subnet())) {
                ownSeen |= l.attrs().publicIp().equals(own.get().attrs().publicIp());
                continue;
            }
            if (!isOwnAddress(own, l)) {
                now.put(l.subnet(), l);
            }
        }
        List<LeaseEvent> events = new ArrayList<>();
        for (Ipv4Subnet gone : List.copyOf(peers.keySet())) {
            if (!now.containsKey(gone)) {
                peers.remove(gone);
                events.add(new LeaseEvent.Removed(gone));
            }
        }
        for (Lease l : now.values()) {
            if (!l.equals(peers.get(l.subnet()))) {
                peers.put(l.subnet(), l);
                events.add(new LeaseEvent.Added(l));
            }
        }
        revision = snapshot.revision();
        if (own.isPresent() && !ownSeen) {
            onOwnLeaseLost.accept(own.get().subnet());
        }
        LOG.debug("resynced peers={} revision={}", peers.size(), revision);
        return events;
    }

    private List<LeaseEvent> apply(List<LeaseEvent> changes) {
        List<LeaseEvent> events = new ArrayList<>();
        Optional<Lease> own = ownLease.get();
        for (LeaseEvent e : changes) {
            if (isOwnSubnet(own, e.subnet())) {
                boolean stillMine = e instanceof LeaseEvent.Added added
                        && added.lease().attrs().publicIp().equals(own.get().attrs().publicIp());
                if (!stillMine) {
                    onOwnLeaseLost.accept(e.subnet());
                }
                continue;
            }
            if (e instanceof LeaseEvent.Added added) {
                if (isOwnAddress(own, added.lease())) {
                    // This host's lease under another subnet, seen before the keeper adopted it: never a peer.
                    continue;
                }
                if (!added.lease().equals(peers.put(added.subnet(), added.lease()))) {
                    events.add(e);
                }
            } else if (peers.remove(e.subnet()) != null) {
                events.add(e);
            }
        }
        return events;
    }

    private static boolean isOwnAddress(Optional<Lease> own, Lease lease) {
        return own.isPresent() && own.get().attrs().publicIp().equals(lease.attrs().publicIp());
    }

    private static boolean isOwnSubnet(Optional<Lease> own, Ipv4Subnet subnet) {
        return own.isPresent() && own.get().subnet().equals(subnet);
    }

    /**
     * Polls until {@link #close()}. A failed watch is logged once per outage, retried with capped exponential
     * backoff, and followed by a resync, so no change is lost.
     */
    public void run() throws InterruptedException {
        Duration backoff = Duration.ofSeconds(1);
        boolean failing = false;
        while (!closed) {
            try {
                poll(POLL_WAIT);
                if (failing) {
                    recoveries.incrementAndGet();
                    LOG.info("lease watch recovered; peers={}", peers.size());
                    failing = false;
                }
                backoff = Duration.ofSeconds(1);
            } catch (RuntimeException e) {
                if (!failing) {
                    LOG.warn("lease watch failed error=\"{}\"; retrying with backoff up to {}s", e.getMessage(),
                            MAX_BACKOFF.toSeconds());
                    failing = true;
                } else {
                    LOG.debug("lease watch still failing error=\"{}\"; next try in {}ms", e.getMessage(),
                            backoff.toMillis());
                }
                invalidate();
                Thread.sleep(backoff.toMillis());
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    /** Ends {@link #run()} within one poll wait. */
    public void close() {
        closed = true;
    }
}
