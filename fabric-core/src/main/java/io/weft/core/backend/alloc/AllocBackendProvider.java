package io.weft.core.backend.alloc;

import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;

/**
 * The built-in {@code alloc} backend, as flannel's: it takes and holds a lease but moves no packets.
 * Useful to run the daemon end to end, or when another tool routes the subnets.
 */
public final class AllocBackendProvider implements BackendProvider {
    static final String TYPE = "alloc";

    @Override
    public String name() {
        return TYPE;
    }

    @Override
    public boolean forwardsPackets() {
        return false;
    }

    @Override
    public Backend create(BackendContext context) {
        return new Backend() {
            @Override
            public LeaseRequest prepare(NetworkConfig config) {
                return LeaseRequest.of(TYPE, 0);
            }

            @Override
            public Network start(Lease lease, int mtu) {
                return new AllocNetwork();
            }

            @Override
            public void close() {
            }
        };
    }
}
