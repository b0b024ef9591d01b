package io.weft.core.daemon;

import io.weft.core.lease.LeaseTimings;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.store.StoreOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * The daemon's settings, as the CLI parsed them from flags and environment. Immutable.
 *
 * @param storeName    {@code etcd} or {@code memory}
 * @param storeOptions how to reach the store
 * @param ifaces       {@code --iface} values (names or addresses), tried in order
 * @param ifaceRegexes {@code --iface-regex} patterns, tried in order
 * @param publicIp     {@code --public-ip}, or null to use the interface's address
 * @param subnetFile   where subnet.env is written
 * @param timings      lease TTL, renew margin and retry interval
 * @param ipMasq       the {@code --ip-masq} flag, reflected in subnet.env
 * @param healthzIp    the address the local HTTP endpoint listens on
 * @param healthzPort  its port; 0 turns it off
 * @param forwardRules install FORWARD accept rules for the Network
 * @param iptablesResync how often the iptables rules are checked and restored
 * @param revokeLeaseOnExit delete this host's lease on a clean stop (by default it is kept for a restart)
 * @param backendStateDir the host's directory for backend state (ipsec keys and SA list), or null for the
 *                     backend's default
 * @param backendPskFile the host's file holding the backend's pre-shared key ({@code --ipsec-psk-file}), or null
 *                     to use the network config's {@code Backend.PSK}
 * @param routeResync  how often a kernel backend (vxlan, host-gw) checks its routes, neighbours and FDB entries
 *                     and puts back what is missing ({@code --route-resync}), or null for 10 s
 */
public record DaemonOptions(String storeName, StoreOptions storeOptions, List<String> ifaces,
        List<String> ifaceRegexes, String publicIp, Path subnetFile, LeaseTimings timings, boolean ipMasq,
        String healthzIp, int healthzPort, boolean forwardRules, Duration iptablesResync,
        boolean revokeLeaseOnExit, Path backendStateDir, Path backendPskFile, Duration routeResync) {

    /** Options with the default route resync interval. */
    public DaemonOptions(String storeName, StoreOptions storeOptions, List<String> ifaces, List<String> ifaceRegexes,
            String publicIp, Path subnetFile, LeaseTimings timings, boolean ipMasq, String healthzIp, int healthzPort,
            boolean forwardRules, Duration iptablesResync, boolean revokeLeaseOnExit, Path backendStateDir,
            Path backendPskFile) {
        this(storeName, storeOptions, ifaces, ifaceRegexes, publicIp, subnetFile, timings, ipMasq, healthzIp,
                healthzPort, forwardRules, iptablesResync, revokeLeaseOnExit, backendStateDir, backendPskFile, null);
    }

    /** Options with no PSK file. */
    public DaemonOptions(String storeName, StoreOptions storeOptions, List<String> ifaces, List<String> ifaceRegexes,
            String publicIp, Path subnetFile, LeaseTimings timings, boolean ipMasq, String healthzIp, int healthzPort,
            boolean forwardRules, Duration iptablesResync, boolean revokeLeaseOnExit, Path backendStateDir) {
        this(storeName, storeOptions, ifaces, ifaceRegexes, publicIp, subnetFile, timings, ipMasq, healthzIp,
                healthzPort, forwardRules, iptablesResync, revokeLeaseOnExit, backendStateDir, null);
    }

    public DaemonOptions {
        Objects.requireNonNull(storeName, "storeName is null");
        Objects.requireNonNull(storeOptions, "storeOptions is null");
        ifaces = List.copyOf(Objects.requireNonNullElse(ifaces, List.of()));
        ifaceRegexes = List.copyOf(Objects.requireNonNullElse(ifaceRegexes, List.of()));
        subnetFile = Objects.requireNonNullElse(subnetFile, SubnetEnvFile.DEFAULT_PATH);
        timings = Objects.requireNonNullElse(timings, LeaseTimings.DEFAULT);
        healthzIp = Objects.requireNonNullElse(healthzIp, "127.0.0.1");
        iptablesResync = Objects.requireNonNullElse(iptablesResync, Duration.ofSeconds(5));
        routeResync = Objects.requireNonNullElse(routeResync, BackendContext.DEFAULT_ROUTE_RESYNC);
        if (routeResync.isNegative() || routeResync.isZero()) {
            throw new io.weft.core.WeftException("route-resync " + routeResync.toSeconds()
                    + " is out of range: give a positive number of seconds");
        }
        if (iptablesResync.isNegative() || iptablesResync.isZero()) {
            throw new io.weft.core.WeftException("iptables-resync " + iptablesResync.toSeconds()
                    + " is out of range: give a positive number of seconds");
        }
        if (healthzPort < 0 || healthzPort > 65535) {
            throw new io.weft.core.WeftException("healthz-port " + healthzPort
                    + " is out of range: give 1 to 65535, or 0 to turn the endpoint off");
        }
    }
}
