package io.weft.store.etcd;

import io.etcd.jetcd.lease.LeaseTimeToLiveResponse;
import io.etcd.jetcd.options.LeaseOption;
import io.weft.core.WeftException;
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
 * The deadline of each etcd lease id seen lately, so a listing that shows expirations (a user's, doctor's) asks etcd
 * only for ids it has not seen; watches and the daemon's own listings read none. An
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
    /**
     * How often a TTL query refused because etcd's leader is behind in applying writes (a cold start of thousands of
     * hosts) is asked again: etcd gives up on it after one second, and the same question soon after is answered.
     */
    static final int BUSY_RETRIES = 5;
    private static final long BUSY_FIRST_WAIT_MILLIS = 100;

    private final EtcdConnection etcd;
    private final Clock clock;
    private final Map<Long, Instant> deadlines = new ConcurrentHashMap<>();
    /**
     * TTL queries on their way, by id: callers that ask for the same unknown id at once (listings on several threads
     * of one store) share one query rather than each sending its own.
     */
    private final Map<Long, CompletableFuture<LeaseTimeToLiveResponse>> inFlight = new ConcurrentHashMap<>();

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
        // A set: retainAll asks it once per cached id, and a list would make that a scan each time.
        deadlines.keySet().retainAll(ids instanceof Set<?> ? ids : new HashSet<>(ids));
    }

    /**
     * The deadlines of these etcd lease ids: cached ones, plus one concurrent {@code LeaseTimeToLive} query
     * for each unknown id (one query in all for an id several callers ask for at once). An id etcd no longer knows (expired, revoked) gets "now": its keys are about to go.
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
                    pending.put(id, inFlight.computeIfAbsent(id,
                            k -> etcd.client().getLeaseClient().timeToLive(k, LeaseOption.DEFAULT)));
                } catch (RuntimeException e) {
                    throw etcd.failure("read the TTL of etcd lease " + Long.toHexString(id), e);
                }
            }
        }
        for (Map.Entry<Long, CompletableFuture<LeaseTimeToLiveResponse>> p : pending.entrySet()) {
            long id = p.getKey();
            LeaseTimeToLiveResponse r;
            try {
                r = timeToLive(id, p.getValue());
            } finally {
                inFlight.remove(id, p.getValue());
            }
            Instant deadline = before.plusSeconds(Math.max(0, r.getTTL()));
            deadlines.put(id, deadline);
            out.put(id, deadline);
        }
        if (deadlines.size() > MAX_CACHED) {
            deadlines.keySet().retainAll(wanted);
        }
        return out;
    }

    /** The answer to a TTL query already sent, asking again (with a growing wait) while etcd says it is busy. */
    private LeaseTimeToLiveResponse timeToLive(long id, CompletableFuture<LeaseTimeToLiveResponse> first) {
        String action = "read the TTL of etcd lease " + Long.toHexString(id);
        CompletableFuture<LeaseTimeToLiveResponse> sent = first;
        long wait = BUSY_FIRST_WAIT_MILLIS;
        for (int attempt = 0; ; attempt++) {
            CompletableFuture<LeaseTimeToLiveResponse> current = sent;
            try {
                return etcd.call(action, () -> current);
            } catch (WeftException e) {
                if (attempt >= BUSY_RETRIES || !String.valueOf(e.getMessage()).contains("applied index")) {
                    throw e;
                }
            }
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new WeftException("interrupted while waiting for etcd at " + etcd.endpoints() + " to " + action, e);
            }
            wait *= 2;
            sent = etcd.client().getLeaseClient().timeToLive(id, LeaseOption.DEFAULT);
        }
    }
}
