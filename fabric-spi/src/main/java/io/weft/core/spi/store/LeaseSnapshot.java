package io.weft.core.spi.store;

import io.weft.core.model.Lease;
import java.util.List;

/** Every lease at one store revision. Immutable. */
public record LeaseSnapshot(List<Lease> leases, long revision) {
    public LeaseSnapshot {
        leases = List.copyOf(leases);
    }
}
