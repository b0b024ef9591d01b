package io.weft.core.backend.alloc;

import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;

/**
 * The built-in {@code alloc} backend, as flannel's: it takes and holds a lease but moves no packets.
 * Useful to run the daemon end to end, or when another tool routes the subnets.
 */
public final class AllocBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return "alloc";
    }

    @Override
    public Backend create(BackendContext context) {
        return (NetworkConfig config) -> new AllocNetwork(
                context.leases().acquire(LeaseAttrs.of(context.publicIp(), "alloc")),
                context.externalInterface().mtu());
    }
}
