package io.weft.core.model;

import java.time.Instant;
import java.util.Objects;

/**
 * A host's claim on one subnet, as read from a store. A lease with no expiration is a reservation: an
 * admin pinned the subnet to a PublicIP and it never expires. Immutable.
 *
 * @param subnet     the subnet held
 * @param attrs      what the holder published
 * @param expiration when the lease lapses unless renewed, or null for a reservation
 */
public record Lease(Ipv4Subnet subnet, LeaseAttrs attrs, Instant expiration) {

    public Lease {
        Objects.requireNonNull(subnet, "subnet is null");
        Objects.requireNonNull(attrs, "attrs is null");
    }

    public boolean isReservation() {
        return expiration == null;
    }
}
