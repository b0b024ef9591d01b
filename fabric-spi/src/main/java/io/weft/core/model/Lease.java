package io.weft.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A host's claim on one subnet, as read from a store. A lease with no expiration is a reservation: an
 * admin pinned the subnet to a PublicIP and it never expires. Immutable.
 *
 * @param subnet     the subnet held
 * @param attrs      what the holder published
 * @param expiration when the lease lapses unless renewed, or null for a reservation; on the wall clock, so
 *                   for showing only: lease upkeep times itself by the TTL it asked for
 * @param revision   the store revision that last wrote the lease (etcd's {@code mod_revision}), which every
 *                   update compares so that it changes only the very lease it read; 0 for a lease not read
 *                   from a store, which no update matches
 */
public record Lease(Ipv4Subnet subnet, LeaseAttrs attrs, Instant expiration, long revision) {

    public Lease {
        Objects.requireNonNull(subnet, "subnet is null");
        Objects.requireNonNull(attrs, "attrs is null");
        if (revision < 0) {
            throw new IllegalArgumentException("revision " + revision + " is negative");
        }
    }

    /** A lease not read from a store (revision 0), e.g. for a backend's tests. */
    public Lease(Ipv4Subnet subnet, LeaseAttrs attrs, Instant expiration) {
        this(subnet, attrs, expiration, 0);
    }

    public boolean isReservation() {
        return expiration == null;
    }
}
