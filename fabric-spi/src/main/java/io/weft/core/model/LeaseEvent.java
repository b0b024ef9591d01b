package io.weft.core.model;

import java.util.Objects;

/** A change to the set of leases: a lease was created or updated, or it went away. Immutable. */
public sealed interface LeaseEvent {

    Ipv4Subnet subnet();

    /** A lease was created, renewed or changed its attributes. */
    record Added(Lease lease) implements LeaseEvent {
        public Added {
            Objects.requireNonNull(lease, "lease is null");
        }

        @Override
        public Ipv4Subnet subnet() {
            return lease.subnet();
        }
    }

    /** A lease was deleted or expired. */
    record Removed(Ipv4Subnet subnet) implements LeaseEvent {
        public Removed {
            Objects.requireNonNull(subnet, "subnet is null");
        }
    }
}
