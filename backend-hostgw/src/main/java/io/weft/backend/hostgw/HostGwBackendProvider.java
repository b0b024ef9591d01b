package io.weft.backend.hostgw;

import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import java.util.Objects;

/**
 * The {@code host-gw} backend, as flanneld's: each peer's subnet is routed via the peer's PublicIP on the external
 * interface, so the kernel forwards every packet and weft only configures routes (and, as for any backend
 * that forwards, the iptables rules of {@code --ip-masq} and {@code --iptables-forward-rules}). Peers must share this host's
 * L2 subnet. No network config fields. Stateless.
 */
public final class HostGwBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return HostGwBackend.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        return new HostGwBackend(Objects.requireNonNull(context, "context is null"));
    }
}
