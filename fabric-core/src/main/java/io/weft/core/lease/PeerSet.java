package io.weft.core.lease;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The peers reported so far and the pure diff that keeps them: a snapshot or a batch of store changes in,
 * the peer events it amounts to out, with no I/O. A lease whose attributes did not change (a renewal) is
 * remembered but not reported; this host's own lease is never a peer, and its loss is said in the diff.
 * Changed only by {@link LeaseWatcher}'s polling thread; {@link #view()} may be read from any thread.
 */
final class PeerSet {

    /**
     * What one snapshot or batch of changes amounted to.
     *
     * @param events   the peer changes, in order: {@link LeaseEvent.Added} for a new peer or changed attributes
     * @param renewals how many peers renewed their lease with nothing else changed
     * @param ownLost  this host's subnet when its lease went or passed to another host
     */
    record Diff(List<LeaseEvent> events, int renewals, Optional<Ipv4Subnet> ownLost) {
    }

    /** Concurrent so that other threads may read it through {@link #view()} while the owner changes it. */
    private final Map<Ipv4Subnet, Lease> peers = new ConcurrentHashMap<>();
    private final Map<Ipv4Subnet, Lease> view = Collections.unmodifiableMap(peers);

    /** The peers now, by subnet: a read-only live view, safe to read from any thread (weakly consistent). */
    Map<Ipv4Subnet, Lease> view() {
        return view;
    }

    int size() {
        return peers.size();
    }

    /** Forgets every peer, so the next resync reports them all again. */
    void clear() {
        peers.clear();
    }

    /** The difference between the peers reported so far and a full snapshot of the leases. */
    Diff resync(List<Lease> leases, Optional<Lease> own) {
        Map<Ipv4Subnet, Lease> now = new HashMap<>();
        boolean ownSeen = false;
        for (Lease l : leases) {
            if (isOwnSubnet(own, l.subnet())) {
                ownSeen |= l.attrs().publicIp().equals(own.get().attrs().publicIp());
            } else if (!isOwnAddress(own, l)) {
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
        int renewals = 0;
        for (Lease l : now.values()) {
            switch (put(l)) {
                case CHANGED -> events.add(new LeaseEvent.Added(l));
                case RENEWED -> renewals++;
                case SAME -> { }
            }
        }
        Optional<Ipv4Subnet> lost = own.isPresent() && !ownSeen ? Optional.of(own.get().subnet()) : Optional.empty();
        return new Diff(events, renewals, lost);
    }

    /** The peer events a batch of store changes amounts to. */
    Diff apply(List<LeaseEvent> changes, Optional<Lease> own) {
        List<LeaseEvent> events = new ArrayList<>();
        int renewals = 0;
        Optional<Ipv4Subnet> lost = Optional.empty();
        for (LeaseEvent e : changes) {
            if (isOwnSubnet(own, e.subnet())) {
                boolean stillMine = e instanceof LeaseEvent.Added added
                        && added.lease().attrs().publicIp().equals(own.get().attrs().publicIp());
                if (!stillMine) {
                    lost = Optional.of(e.subnet());
                }
            } else if (e instanceof LeaseEvent.Added added) {
                // This host's lease under another subnet, seen before the keeper adopted it, is never a peer.
                if (!isOwnAddress(own, added.lease())) {
                    switch (put(added.lease())) {
                        case CHANGED -> events.add(e);
                        case RENEWED -> renewals++;
                        case SAME -> { }
                    }
                }
            } else if (peers.remove(e.subnet()) != null) {
                events.add(e);
            }
        }
        return new Diff(events, renewals, lost);
    }

    private enum Put { CHANGED, RENEWED, SAME }

    private Put put(Lease lease) {
        Lease before = peers.put(lease.subnet(), lease);
        if (before == null || !before.attrs().equals(lease.attrs())) {
            return Put.CHANGED;
        }
        return before.equals(lease) ? Put.SAME : Put.RENEWED;
    }

    private static boolean isOwnAddress(Optional<Lease> own, Lease lease) {
        return own.isPresent() && own.get().attrs().publicIp().equals(lease.attrs().publicIp());
    }

    private static boolean isOwnSubnet(Optional<Lease> own, Ipv4Subnet subnet) {
        return own.isPresent() && own.get().subnet().equals(subnet);
    }
}
