package io.weft.core.spi.backend;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend gets from the host it runs on, as the daemon's flags and environment gave it. Immutable.
 *
 * @param externalInterface the underlay interface the host is reached through
 * @param publicIp          the address advertised in the lease (the interface's, unless overridden)
 * @param stateDir          the host's directory for backend state (keys, SA lists) when the host sets one;
 *                          it wins over the cluster-wide {@code Backend.StateDir}
 */
public record BackendContext(ExternalInterface externalInterface, String publicIp, Optional<Path> stateDir) {
    public BackendContext {
        Objects.requireNonNull(externalInterface, "externalInterface is null");
        Objects.requireNonNull(publicIp, "publicIp is null");
        Objects.requireNonNull(stateDir, "stateDir is null");
    }

    /** A context with no host state directory. */
    public BackendContext(ExternalInterface externalInterface, String publicIp) {
        this(externalInterface, publicIp, Optional.empty());
    }
}
