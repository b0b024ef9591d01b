package io.weft.core.spi.backend;

import io.weft.core.model.NetworkConfig;

/** A data path kind. It registers the host in the network (taking a lease) and returns the running network. */
public interface Backend {

    /**
     * Takes this host's lease through {@link BackendContext#leases()}, sets up the data path and returns it.
     * Fails with a {@link io.weft.core.WeftException} naming the bad {@code Backend.*} field, if any.
     */
    Network register(NetworkConfig config);
}
