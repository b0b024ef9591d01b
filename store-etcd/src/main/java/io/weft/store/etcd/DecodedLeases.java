package io.weft.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.weft.core.model.Lease;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The last version of each lease key that {@link EtcdStore} decoded, so its listings and watches decode a key's
 * version once: a daemon's watcher then reuses what its allocation's listing just read, and the watchers that share
 * one store (a benchmark's simulated hosts) share one decoding and one {@link Lease} object per version. A version is
 * its key and {@code mod_revision}, which fix the value and whether the key has an etcd lease (the lease's
 * expiration is left unread: {@link EtcdStore} reads it only for a caller that shows it). Holds at most
 * {@link #MAX_KEYS} keys whatever an etcd writer does, then starts again empty. Owned by one {@link EtcdStore};
 * thread-safe.
 */
final class DecodedLeases {
    static final int MAX_KEYS = 16_384;

    private final Map<ByteSequence, Lease> byKey = new ConcurrentHashMap<>();

    /** The lease decoded for this very version of the key, or null. */
    Lease get(KeyValue kv) {
        Lease lease = byKey.get(kv.getKey());
        return lease != null && lease.revision() == kv.getModRevision() ? lease : null;
    }

    /** Remembers {@code lease}, decoded from the version of {@code key} at its revision. */
    void put(ByteSequence key, Lease lease) {
        if (byKey.size() >= MAX_KEYS && !byKey.containsKey(key)) {
            byKey.clear();
        }
        byKey.put(key, lease);
    }

    /** The key was deleted. */
    void remove(ByteSequence key) {
        byKey.remove(key);
    }

    int size() {
        return byKey.size();
    }
}
