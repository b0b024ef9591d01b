package io.weft.core.spi.backend;

import java.util.Objects;

/**
 * What a backend gets from the daemon. Immutable.
 *
 * @param externalInterface the underlay interface the host is reached through
 * @param publicIp          the address advertised in the lease (the interface's, unless overridden)
 * @param leases            acquires this host's lease
 */
public record BackendContext(ExternalInterface externalInterface, String publicIp, LeaseAcquirer leases) {
    public BackendContext {
        Objects.requireNonNull(externalInterface, "externalInterface is null");
        Objects.requireNonNull(publicIp, "publicIp is null");
        Objects.requireNonNull(leases, "leases is null");
    }
}
