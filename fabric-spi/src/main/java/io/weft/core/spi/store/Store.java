package io.weft.core.spi.store;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where the network config and the subnet leases live: a small registry with no allocation policy of
 * its own (that is written once, in {@code io.weft.core.lease}). Implementations are thread-safe.
 *
 * <p>Every failure to reach the backing service is a {@link io.weft.core.WeftException} naming the
 * endpoint and the cause. A lost creation race is not a failure: it is {@link CreateResult.Exists}.
 * A watch from a compacted revision is not a failure either: it is {@link WatchResult.Compacted}.
 */
public interface Store extends AutoCloseable {

    /** A TTL meaning "never expires": the lease is a reservation. */
    Duration NO_TTL = Duration.ZERO;

    /** The raw network config JSON; fails with a message saying how to create it when absent. */
    String readNetworkConfig();

    /** Stores the network config JSON as given (callers validate it first). */
    void writeNetworkConfig(String json);

    /**
     * Every lease, and the store revision they were read at, with the expiration read only for the leases
     * {@code readExpiration} selects (it sees each lease with its expiration unread). Every other lease that expires
     * comes with {@link Lease.Expiry#UNREAD}; {@link Lease#isReservation()} is always known. Reading an expiration
     * may cost the store a query per lease (etcd: {@code LeaseTimeToLive}), so select only what is shown.
     */
    LeaseSnapshot listLeases(Predicate<Lease> readExpiration);

    /**
     * Every lease, with no expiration read: what allocation and the watcher need, one read whatever the number of
     * leases.
     */
    default LeaseSnapshot listLeases() {
        return listLeases(lease -> false);
    }

    /**
     * Creates the lease only if no lease for {@code subnet} exists, atomically. The lease created comes with its
     * expiration, as does the one {@link #updateLease} returns.
     *
     * @param ttl how long until it expires unless renewed; {@link #NO_TTL} for a reservation
     */
    CreateResult createLease(Ipv4Subnet subnet, LeaseAttrs attrs, Duration ttl);

    /**
     * Replaces the attributes and TTL of {@code held}, atomically and only if the store still holds that very
     * lease: the same key at the same {@link Lease#revision() revision}, so nobody has changed, deleted or
     * re-created it since it was read. Empty when that no longer holds: the caller has lost the lease (to an
     * expiry, an admin or another host) and must not take it back by writing over whoever holds it now.
     *
     * @param held a lease as this store returned it (listed, watched, created or updated)
     * @param ttl  the new TTL counted from now; {@link #NO_TTL} makes it a reservation
     */
    Optional<Lease> updateLease(Lease held, LeaseAttrs attrs, Duration ttl);

    /**
     * Extends {@code held} by {@code ttl} from now, keeping its attributes, on the same condition as
     * {@link #updateLease}; empty when it is gone or no longer the lease that was read.
     */
    default Optional<Lease> renewLease(Lease held, Duration ttl) {
        return updateLease(held, held.attrs(), ttl);
    }

    /** Deletes the lease; false when there was none. */
    boolean deleteLease(Ipv4Subnet subnet);

    /**
     * Waits up to {@code maxWait} for lease changes after {@code afterRevision} and returns them in order.
     * Returns {@link WatchResult.Changes} (maybe empty, on timeout), or {@link WatchResult.Compacted} with a
     * fresh snapshot when the changes after that revision are no longer kept. The leases in both come with their
     * expiration unread, as from {@link #listLeases()}: a watcher is told of every renewal in the cluster.
     */
    WatchResult watchLeases(long afterRevision, Duration maxWait) throws InterruptedException;

    /**
     * Opens a watch of the lease changes after {@code afterRevision} that stays open across
     * {@link LeaseWatch#next} calls. A store whose backing service streams changes keeps one stream open for it;
     * this default asks {@link #watchLeases} at each call, from the revision the last call returned.
     */
    default LeaseWatch openLeaseWatch(long afterRevision) {
        return new LeaseWatch() {
            private long revision = afterRevision;

            @Override
            public WatchResult next(Duration maxWait) throws InterruptedException {
                WatchResult r = watchLeases(revision, maxWait);
                revision = r.revision();
                return r;
            }

            @Override
            public void close() {
            }
        };
    }

    @Override
    void close();
}
