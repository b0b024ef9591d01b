package io.weft.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.KeyValue;
import io.etcd.jetcd.kv.GetResponse;
import io.etcd.jetcd.kv.PutResponse;
import io.etcd.jetcd.kv.TxnResponse;
import io.etcd.jetcd.op.Cmp;
import io.etcd.jetcd.op.CmpTarget;
import io.etcd.jetcd.op.Op;
import io.etcd.jetcd.options.DeleteOption;
import io.etcd.jetcd.options.GetOption;
import io.etcd.jetcd.options.PutOption;
import io.etcd.jetcd.watch.WatchEvent;
import io.etcd.jetcd.watch.WatchResponse;
import io.weft.core.Excerpt;
import io.weft.core.WeftException;
import io.weft.core.config.LeaseJson;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.LeaseSnapshot;
import io.weft.core.spi.store.LeaseWatch;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.core.spi.store.WatchResult;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Store} on etcd's v3 API, with flannel's layout: the config at {@code <prefix>/config} and
 * each lease at {@code <prefix>/subnets/10.5.34.0-24}, its value flannel's lease JSON and its TTL an etcd
 * lease attached to the key. A reservation is a key with no etcd lease.
 *
 * <p>Choices, and why:
 * <ul>
 * <li>Create is one transaction, "version is 0 → put with a freshly granted etcd lease". The loser of a
 *     race revokes its grant and gets {@link CreateResult.Exists}.
 * <li>Update and renew grant a fresh etcd lease and move the key onto it in one transaction guarded by
 *     "mod_revision is the one read" (so they never create, and never overwrite a lease that was deleted
 *     and created again, by another host or as a reservation, since it was read), then revoke the old etcd
 *     lease, which holds no key any more. This is what flannel does, with the guard flannel lacks; unlike a
 *     keep-alive it can change the TTL, and it gives every etcd lease id one fixed deadline, which is what
 *     makes the deadline cache ({@link EtcdLeaseDeadlines}) correct.
 * <li>A key holds only the id of its etcd lease, so its expiration costs a query ({@code LeaseTimeToLive}): a
 *     listing reads it only for the leases its caller selects (a listing shown to a user, doctor's own lease), and
 *     a watch never. Every host's watcher is told of every renewal and new lease in the cluster, and at 5,000 hosts
 *     a query per event per host would be hundreds of reads a second that no daemon uses; the leases a daemon
 *     holds come from its own grants, whose deadlines it knows. An expiration read is the time of the query plus
 *     the etcd lease's remaining TTL (queried concurrently for the ids of one listing). Deadlines are cached by
 *     etcd lease id: ids this store granted are known from the grant, others are queried once. Only a
 *     keep-alive by another tool (say {@code etcdctl lease keep-alive}) moves a deadline, and then the
 *     cached one is early, which at worst makes an expiration look sooner than it is.
 * <li>{@link #openLeaseWatch} opens one etcd watch stream from {@code afterRevision + 1} that stays open
 *     ({@link EtcdLeaseWatch}): each read takes every response that has arrived as one batch, so a daemon holds
 *     one stream for its life rather than opening one per read, and a burst reaches it in few batches. A
 *     compacted start revision becomes {@link WatchResult.Compacted} with a fresh listing. A broken watch (etcd
 *     unreachable, no leader) is a {@link WeftException}; the core's {@code LeaseWatcher} then opens another,
 *     retried with capped exponential backoff after a resync from a listing, so no change is lost.
 *     {@link #watchLeases} is one read of a watch opened for it.
 * <li>Each version of a key (its key and {@code mod_revision}) is decoded once ({@link DecodedLeases}): later
 *     listings and watch events of the same version reuse the {@link Lease}, with no JSON decoding.
 * </ul>
 *
 * <p>Owns its {@link EtcdConnection}; {@link #close()} closes it. Thread-safe: all state is in etcd
 * except the deadline cache ({@link EtcdLeaseDeadlines}), which is thread-safe.
 */
final class EtcdStore implements Store {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdStore.class);

    private final EtcdConnection etcd;
    private final Clock clock;
    private final String configKey;
    private final String subnetsPrefix;
    private final ByteSequence subnetsPrefixBytes;
    private final EtcdLeaseDeadlines deadlines;
    private final BadKeyReports badKeys;
    private final DecodedLeases decoded = new DecodedLeases();

    EtcdStore(EtcdConnection etcd, StoreOptions options, Clock clock) {
        this.etcd = Objects.requireNonNull(etcd, "etcd is null");
        this.clock = Objects.requireNonNull(clock, "clock is null");
        this.deadlines = new EtcdLeaseDeadlines(etcd, clock);
        this.configKey = options.configKey();
        this.subnetsPrefix = options.subnetsPrefix();
        this.subnetsPrefixBytes = bytes(subnetsPrefix);
        this.badKeys = new BadKeyReports(subnetsPrefix);
    }

    @Override
    public String readNetworkConfig() {
        GetResponse r = etcd.call("read the network config at " + configKey,
                () -> etcd.client().getKVClient().get(bytes(configKey)));
        if (r.getKvs().isEmpty()) {
            throw new WeftException("network config not found at " + configKey + "; create it with: weft config put FILE");
        }
        return r.getKvs().get(0).getValue().toString(StandardCharsets.UTF_8);
    }

    @Override
    public void writeNetworkConfig(String json) {
        Objects.requireNonNull(json, "json is null");
        etcd.call("write the network config at " + configKey,
                () -> etcd.client().getKVClient().put(bytes(configKey), bytes(json)));
        LOG.info("network config written key={}", configKey);
    }

    @Override
    public LeaseSnapshot listLeases(Predicate<Lease> readExpiration) {
        Objects.requireNonNull(readExpiration, "readExpiration is null");
        GetResponse r = etcd.call("list leases under " + subnetsPrefix,
                () -> etcd.client().getKVClient().get(subnetsPrefixBytes, GetOption.builder().isPrefix(true).build()));
        List<Lease> leases = new ArrayList<>();
        Map<Integer, Long> toRead = new HashMap<>();
        for (KeyValue kv : r.getKvs()) {
            Lease lease = lease(kv, "ignoring it");
            if (lease != null) {
                if (!lease.isReservation() && readExpiration.test(lease)) {
                    toRead.put(leases.size(), kv.getLease());
                }
                leases.add(lease);
            }
        }
        if (!toRead.isEmpty()) {
            Map<Long, Instant> known = deadlines.of(List.copyOf(toRead.values()));
            toRead.forEach((i, id) -> leases.set(i, leases.get(i).withExpiration(known.get(id))));
        }
        deadlines.retainOnly(r.getKvs().stream().map(KeyValue::getLease).toList());
        return new LeaseSnapshot(leases, r.getHeader().getRevision());
    }

    @Override
    public CreateResult createLease(Ipv4Subnet subnet, LeaseAttrs attrs, Duration ttl) {
        Objects.requireNonNull(subnet, "subnet is null");
        Objects.requireNonNull(attrs, "attrs is null");
        Grant grant = grant(subnet, ttl);
        Cmp absent = new Cmp(leaseKey(subnet), Cmp.Op.EQUAL, CmpTarget.version(0));
        TxnResponse r = putIf(subnet, attrs, grant, absent, "create", "the subnet is taken");
        if (r == null) {
            return new CreateResult.Exists(subnet);
        }
        return new CreateResult.Created(new Lease(subnet, attrs, grant.deadline(), r.getHeader().getRevision()));
    }

    @Override
    public Optional<Lease> updateLease(Lease held, LeaseAttrs attrs, Duration ttl) {
        Objects.requireNonNull(held, "held is null");
        Objects.requireNonNull(attrs, "attrs is null");
        if (held.revision() == 0) {
            // A missing key has mod_revision 0 too: the compare would hold, and the put would create it.
            return Optional.empty();
        }
        Ipv4Subnet subnet = held.subnet();
        Grant grant = grant(subnet, ttl);
        Cmp same = new Cmp(leaseKey(subnet), Cmp.Op.EQUAL, CmpTarget.modRevision(held.revision()));
        TxnResponse r = putIf(subnet, attrs, grant, same, "update", "the lease is gone or changed");
        if (r == null) {
            return Optional.empty();
        }
        PutResponse put = r.getPutResponses().get(0);
        if (put.hasPrevKv()) {
            long old = put.getPrevKv().getLease();
            if (old != 0 && old != grant.id()) {
                revokeUnused(new Grant(old, null), "the lease moved to etcd lease " + Long.toHexString(grant.id()));
            }
        }
        return Optional.of(new Lease(subnet, attrs, grant.deadline(), r.getHeader().getRevision()));
    }

    /**
     * One transaction: put the lease on {@code grant} if {@code condition} holds (the key is absent, or is
     * still the revision read). When the put did not happen, or may not have (the call failed), the grant is
     * revoked so nothing is left on it.
     *
     * @return the response, or null when the condition did not hold
     */
    private TxnResponse putIf(Ipv4Subnet subnet, LeaseAttrs attrs, Grant grant, Cmp condition, String what,
            String whyNot) {
        ByteSequence key = leaseKey(subnet);
        TxnResponse r;
        try {
            r = etcd.call(what + " the lease " + subnet, () -> etcd.client().getKVClient().txn()
                    .If(condition)
                    .Then(Op.put(key, bytes(LeaseJson.encode(attrs)), putOption(grant)))
                    .commit());
        } catch (WeftException e) {
            revokeUnused(grant, "the " + what + " failed");
            throw e;
        }
        if (!r.isSucceeded()) {
            revokeUnused(grant, whyNot);
            return null;
        }
        return r;
    }

    @Override
    public boolean deleteLease(Ipv4Subnet subnet) {
        Objects.requireNonNull(subnet, "subnet is null");
        var r = etcd.call("delete the lease " + subnet, () -> etcd.client().getKVClient()
                .delete(leaseKey(subnet), DeleteOption.builder().withPrevKV(true).build()));
        for (KeyValue prev : r.getPrevKvs()) {
            if (prev.getLease() != 0) {
                revokeUnused(new Grant(prev.getLease(), null), "its lease " + subnet + " was deleted");
            }
        }
        return r.getDeleted() > 0;
    }

    @Override
    public WatchResult watchLeases(long afterRevision, Duration maxWait) throws InterruptedException {
        try (LeaseWatch watch = openLeaseWatch(afterRevision)) {
            return watch.next(maxWait);
        }
    }

    @Override
    public LeaseWatch openLeaseWatch(long afterRevision) {
        return new EtcdLeaseWatch(etcd, subnetsPrefixBytes, subnetsPrefix, afterRevision, this::toChanges,
                this::listLeases);
    }

    private WatchResult.Changes toChanges(List<WatchResponse> batch, long afterRevision) {
        List<WatchEvent> events = new ArrayList<>();
        for (WatchResponse r : batch) {
            events.addAll(r.getEvents());
        }
        List<LeaseEvent> out = new ArrayList<>();
        long revision = afterRevision;
        for (WatchEvent e : events) {
            KeyValue kv = e.getKeyValue();
            // The revision of the last event seen, not the response header's: etcd may send a catching-up
            // watcher a header revision beyond events it has not delivered yet.
            revision = Math.max(revision, kv.getModRevision());
            if (e.getEventType() == WatchEvent.EventType.PUT) {
                Lease cached = decoded.get(kv);
                if (cached != null) {
                    out.add(new LeaseEvent.Added(cached));
                    continue;
                }
            }
            Optional<Ipv4Subnet> subnet = subnetOf(kv.getKey());
            if (subnet.isEmpty()) {
                continue;
            }
            switch (e.getEventType()) {
                case PUT -> {
                    // A value that is no longer lease JSON is reported as a removal: peers must drop the route
                    // they had for it rather than keep it forever.
                    Lease lease = lease(kv, "reporting it as removed");
                    out.add(lease == null ? new LeaseEvent.Removed(subnet.get()) : new LeaseEvent.Added(lease));
                }
                case DELETE -> {
                    decoded.remove(kv.getKey());
                    out.add(new LeaseEvent.Removed(subnet.get()));
                }
                default -> LOG.debug("ignoring watch event type={} key={}", e.getEventType(), subnet.get());
            }
        }
        return new WatchResult.Changes(out, revision);
    }

    /**
     * The lease a key-value holds, its expiration unread (etcd keeps it with the etcd lease, a query away): the one
     * decoded before for this version, or decoded now and remembered; null for a key that is no subnet or a value that
     * is no lease JSON (logged once, with {@code action}).
     */
    private Lease lease(KeyValue kv, String action) {
        Lease cached = decoded.get(kv);
        if (cached != null) {
            return cached;
        }
        Optional<Ipv4Subnet> subnet = subnetOf(kv.getKey());
        if (subnet.isEmpty()) {
            return null;
        }
        LeaseAttrs attrs = decode(kv, action);
        if (attrs == null) {
            return null;
        }
        Lease lease = new Lease(subnet.get(), attrs, kv.getLease() == 0 ? Lease.Expiry.NEVER : Lease.Expiry.UNREAD,
                kv.getModRevision());
        decoded.put(kv.getKey(), lease);
        return lease;
    }

    @Override
    public void close() {
        etcd.close();
    }

    /** An etcd lease granted for one key (id 0 and no deadline for a reservation). */
    private record Grant(long id, Instant deadline) {
    }

    private Grant grant(Ipv4Subnet subnet, Duration ttl) {
        Objects.requireNonNull(ttl, "ttl is null");
        if (ttl.isNegative()) {
            throw new WeftException("lease TTL " + ttl + " is negative: give a positive TTL, or zero for no expiry");
        }
        if (ttl.isZero()) {
            return new Grant(0, null);
        }
        // Whole seconds, rounded up: etcd's TTL unit.
        long seconds = Math.max(1, (ttl.toMillis() + 999) / 1000);
        Instant before = clock.instant();
        long id = etcd.call("grant an etcd lease of " + seconds + "s for " + subnet,
                () -> etcd.client().getLeaseClient().grant(seconds)).getID();
        Instant deadline = before.plusSeconds(seconds);
        deadlines.granted(id, deadline);
        return new Grant(id, deadline);
    }

    /** On {@code grant}'s etcd lease, and returning the previous key (an update revokes its etcd lease). */
    private static PutOption putOption(Grant grant) {
        PutOption.Builder b = PutOption.builder().withPrevKV();
        if (grant.id() != 0) {
            b.withLeaseId(grant.id());
        }
        return b.build();
    }

    /**
     * Revokes an etcd lease no key should hold any more. A failure is logged, not thrown: the grant
     * expires by itself within its TTL, and the caller's own outcome is already decided.
     */
    private void revokeUnused(Grant grant, String why) {
        if (grant.id() == 0) {
            return;
        }
        deadlines.revoked(grant.id());
        try {
            etcd.call("revoke etcd lease " + Long.toHexString(grant.id()),
                    () -> etcd.client().getLeaseClient().revoke(grant.id()));
            LOG.debug("revoked etcd lease {} because {}", Long.toHexString(grant.id()), why);
        } catch (WeftException e) {
            if (e.getMessage().contains("requested lease not found")) {
                return;
            }
            LOG.warn("could not revoke unused etcd lease {} ({}): {}; it expires by itself", Long.toHexString(grant.id()),
                    why, e.getMessage());
        }
    }

    private Optional<Ipv4Subnet> subnetOf(ByteSequence key) {
        String k = key.toString(StandardCharsets.UTF_8);
        String name = k.startsWith(subnetsPrefix) ? k.substring(subnetsPrefix.length()) : k;
        try {
            return Optional.of(Ipv4Subnet.parseKey(name));
        } catch (WeftException e) {
            badKeys.report(k, "ignoring key " + Excerpt.of(k) + " under the subnets prefix: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The lease's attributes, or null (logged once per key, with {@code action}) when the value is not flannel
     * lease JSON.
     */
    private LeaseAttrs decode(KeyValue kv, String action) {
        String k = kv.getKey().toString(StandardCharsets.UTF_8);
        try {
            return LeaseJson.decode(k, kv.getValue().toString(StandardCharsets.UTF_8));
        } catch (WeftException e) {
            badKeys.report(k, "cannot read lease " + Excerpt.of(k) + ", " + action + ": " + e.getMessage());
            return null;
        }
    }

    private ByteSequence leaseKey(Ipv4Subnet subnet) {
        return bytes(subnetsPrefix + subnet.toKey());
    }

    private static ByteSequence bytes(String s) {
        return ByteSequence.from(s, StandardCharsets.UTF_8);
    }
}
