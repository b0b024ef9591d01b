package io.weft.core.spi.backend;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * What a backend gets from the host it runs on, as the daemon's flags and environment gave it. Everything
 * here is host-local: none of it comes from the cluster-wide network config, which every etcd writer can
 * change and every etcd reader can read. Immutable.
 *
 * @param externalInterface the underlay interface the host is reached through
 * @param publicIp          the address advertised in the lease (the interface's, unless overridden)
 * @param stateDir          the host's directory for backend state (keys, SA lists) when the host sets one;
 *                          the only source of it (a cluster-wide {@code Backend.StateDir} is ignored)
 * @param pskFile           a host file holding the pre-shared key, when the host names one; it wins over
 *                          the cluster-wide {@code Backend.PSK}
 * @param routeResync       how often a backend that writes kernel state (routes, neighbours) checks it and puts
 *                          back what someone else removed ({@code --route-resync})
 */
public record BackendContext(ExternalInterface externalInterface, String publicIp, Optional<Path> stateDir,
        Optional<Path> pskFile, Duration routeResync) {
    /** flanneld checks its routes every 10 s; so does weft unless told otherwise. */
    public static final Duration DEFAULT_ROUTE_RESYNC = Duration.ofSeconds(10);

    public BackendContext {
        Objects.requireNonNull(externalInterface, "externalInterface is null");
        Objects.requireNonNull(publicIp, "publicIp is null");
        Objects.requireNonNull(stateDir, "stateDir is null");
        Objects.requireNonNull(pskFile, "pskFile is null");
        Objects.requireNonNull(routeResync, "routeResync is null");
        if (routeResync.isNegative() || routeResync.isZero()) {
            throw new IllegalArgumentException("routeResync " + routeResync + " is not positive");
        }
    }

    /** A context with the default route resync interval. */
    public BackendContext(ExternalInterface externalInterface, String publicIp, Optional<Path> stateDir,
            Optional<Path> pskFile) {
        this(externalInterface, publicIp, stateDir, pskFile, DEFAULT_ROUTE_RESYNC);
    }

    /** A context with a host state directory and no PSK file. */
    public BackendContext(ExternalInterface externalInterface, String publicIp, Optional<Path> stateDir) {
        this(externalInterface, publicIp, stateDir, Optional.empty());
    }

    /** A context with no host state directory and no PSK file. */
    public BackendContext(ExternalInterface externalInterface, String publicIp) {
        this(externalInterface, publicIp, Optional.empty(), Optional.empty());
    }
}
