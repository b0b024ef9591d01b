package io.weft.store.etcd;

import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import java.time.Clock;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The deadline of each etcd lease id seen lately, so a listing asks etcd only for ids it has not seen. An
 * id's deadline never moves, because {@link EtcdStore} never keeps an etcd lease alive (it moves keys onto
 * fresh grants instead); only another tool's keep-alive moves one, and then the cached deadline is early,
 * which at worst makes an expiration look sooner than it is. The cache holds at most {@link #MAX_CACHED} ids
 * whatever an etcd writer does (keys put on ever new etcd leases between two listings), then keeps only the
 * ids of the latest call; that is well above the 5,000 leases of a large cluster, so the ids one listing uses stay
 * cached (at 4096 a 5,000-host network queried every TTL again at each listing). Owned by one
 * {@link EtcdStore}; thread-safe.
 */
final class EtcdLeaseDeadlines {
    static final int MAX_CACHED = 16_384;

    private final EtcdConnection etcd;
    private final Clock clock;
    private final Map<Long, Instant> deadlines = new ConcurrentHashMap<>();

    EtcdLeaseDeadlines(EtcdConnection etcd, Clock clock) {
        this.etcd = etcd;
        this.clock = clock;
    }

    /** This store granted {@code id}, lasting until {@code deadline}. */
    void granted(long id, Instant deadline) {
        deadlines.put(id, deadline);
    }

    /** How many ids are cached now. */
    int size() {
        return deadlines.size();
    }

    /** This store revoked {@code id}. */
    void revoked(long id) {
        deadlines.remove(id);
    }

    /** Forgets every id but these (the ones a full listing still uses). */
    void retainOnly(Collection<Long> ids) {
        deadlines.keySet().retainAll(ids);
    }

    /**
     * The deadlines of these etcd lease ids: cached ones, plus one concurrent {@code LeaseTimeToLive} query
     * for each unknown id. An id etcd no longer knows (expired, revoked) gets "now": its keys are about to go.
     * Id 0 (a key with no etcd lease, a reservation) has none.
     */
    Map<Long, Instant> of(List<Long> ids) {
        Map<Long, Instant> out = new HashMap<>();
        Map<Long, CompletableFuture<LeaseTimeToLiveResponse>> pending = new HashMap<>();
        Set<Long> wanted = new HashSet<>(ids);
        wanted.remove(0L);
        Instant before = clock.instant();
        for (long id : wanted) {
            Instant cached = deadlines.get(id);
            if (cached != null) {
                out.put(id, cached);
            } else {
                try {
                    pending.put(id, etcd.client().getLeaseClient().timeToLive(id, LeaseOption.DEFAULT));
                } catch (RuntimeException e) {
                    throw etcd.failure("read the TTL of etcd lease " + Long.toHexString(id), e);
                }
            }
        }
        for (Map.Entry<Long, CompletableFuture<LeaseTimeToLiveResponse>> p : pending.entrySet()) {
            long id = p.getKey();
            LeaseTimeToLiveResponse r = etcd.call("read the TTL of etcd lease " + Long.toHexString(id), p::getValue);
            Instant deadline = before.plusSeconds(Math.max(0, r.getTTL()));
            deadlines.put(id, deadline);
            out.put(id, deadline);
        }
        if (deadlines.size() > MAX_CACHED) {
            deadlines.keySet().retainAll(wanted);
        }
        return out;
    }
}
