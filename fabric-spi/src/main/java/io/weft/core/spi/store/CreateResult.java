package io.weft.core.spi.store;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import java.util.Objects;

/** The outcome of a create-if-absent: the lease was created, or one already existed. Immutable. */
public sealed interface CreateResult {

    record Created(Lease lease) implements CreateResult {
        public Created {
            Objects.requireNonNull(lease, "lease is null");
        }
    }

    /** Someone else holds the subnet: the caller lost a race or chose a taken subnet. */
    record Exists(Ipv4Subnet subnet) implements CreateResult {
        public Exists {
            Objects.requireNonNull(subnet, "subnet is null");
        }
    }
}
