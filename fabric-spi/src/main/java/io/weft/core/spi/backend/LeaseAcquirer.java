package io.weft.core.spi.backend;

import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;

/** Acquires this host's lease with the attributes the backend publishes. Owned by the daemon. */
@FunctionalInterface
public interface LeaseAcquirer {
    Lease acquire(LeaseAttrs attrs);
}
