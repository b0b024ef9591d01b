package io.weft.cli;

import io.weft.cli.cni.CniSocketServer;
import io.weft.core.WeftException;
import io.weft.core.daemon.Daemon;
import io.weft.core.daemon.DaemonOptions;
import io.weft.core.daemon.ExternalInterfaceResolver;
import io.weft.core.daemon.SubnetEnvFile;
import io.weft.core.lease.LeaseTimings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft daemon}: runs this host's member of the overlay, with flanneld's flags. */
@Command(name = "daemon", mixinStandardHelpOptions = true, description = {
    "Run this host's member of the overlay network.",
    "Acquires this host's subnet, writes subnet.env and runs the backend named",
    "by the network config's Backend.Type until SIGTERM or SIGINT. The lease",
    "is kept on exit, so a restart reuses it, unless --revoke-lease-on-exit;",
    "so are the vxlan and host-gw backends' device, routes and ARP/FDB entries."})
final class DaemonCommand extends StoreCommand {
    @Option(names = "--iface", split = ",", paramLabel = "NAME|ADDR",
            description = "Interface (name or IPv4 address) for inter-host traffic; repeatable, first match wins."
                    + " Default: the interface of the default route.")
    List<String> ifaces = new ArrayList<>();

    @Option(names = "--iface-regex", split = ",", paramLabel = "REGEX",
            description = "Pattern matched against interface names and addresses; repeatable.")
    List<String> ifaceRegexes = new ArrayList<>();

    @Option(names = "--public-ip", paramLabel = "ADDR",
            description = "Address other hosts reach this one at. Default: the interface's address.")
    String publicIp;

    @Option(names = "--subnet-file", paramLabel = "FILE", defaultValue = SubnetEnvFile.DEFAULT_PATH_TEXT,
            description = "Where to write subnet.env. Default: ${DEFAULT-VALUE}.")
    Path subnetFile;

    @Option(names = "--subnet-lease-renew-margin", paramLabel = "MINUTES", defaultValue = "60",
            description = "Renew the lease this many minutes before it expires. Default: ${DEFAULT-VALUE}.")
    int renewMarginMinutes;

    @Option(names = "--ip-masq", description = "Masquerade traffic leaving the overlay (sets FLANNEL_IPMASQ).")
    boolean ipMasq;

    @Option(names = "--healthz-ip", paramLabel = "ADDR", defaultValue = "127.0.0.1",
            description = "Address of the local endpoint (/healthz, /readyz, /metrics, /status). Default: ${DEFAULT-VALUE}.")
    String healthzIp;

    @Option(names = "--healthz-port", paramLabel = "PORT", defaultValue = "" + DEFAULT_HEALTHZ_PORT,
            description = "Port of the local endpoint; 0 turns it off. Default: ${DEFAULT-VALUE}.")
    int healthzPort;

    @Option(names = "--cni-socket", paramLabel = "PATH", defaultValue = CniSocketServer.DEFAULT_PATH,
            description = "Serve the cni/weft shim's CNI calls on this unix socket (mode 0600), so they start no JVM;"
                    + " '' turns it off. Default: ${DEFAULT-VALUE}.")
    String cniSocket;

    @Option(names = "--iptables-forward-rules", arity = "0..1", fallbackValue = "true", defaultValue = "true",
            paramLabel = "BOOL", description = "Accept forwarded traffic of the Network in FORWARD. Default: ${DEFAULT-VALUE}.")
    boolean forwardRules;

    @Option(names = "--iptables-resync", paramLabel = "SECONDS", defaultValue = "5",
            description = "Check and restore weft's iptables rules this often. Default: ${DEFAULT-VALUE}.")
    int iptablesResyncSeconds;

    @Option(names = "--route-resync", paramLabel = "SECONDS", defaultValue = "10",
            description = "Check and restore the vxlan and host-gw backends' routes, ARP and FDB entries this often,"
                    + " removing those of peers that left. Default: ${DEFAULT-VALUE}.")
    int routeResyncSeconds;

    @Option(names = "--revoke-lease-on-exit",
            description = "Delete this host's lease on a clean stop (by default it is kept, so a restart reuses it),"
                    + " and the kernel state the vxlan and host-gw backends keep for a restart.")
    boolean revokeLeaseOnExit;

    @Mixin
    IpsecHostOptions ipsec;

    /** Longer than the daemon's own stop budget plus a lease revocation. */
    private static final long STOP_WAIT_SECONDS = 30;

    /** The default port of the daemon's local endpoint, which {@code weft status} reads. */
    static final int DEFAULT_HEALTHZ_PORT = 8286;

    @Override
    public Integer call() throws InterruptedException {
        if ("memory".equals(storeFlags.store) && storeFlags.netConfigPath == null) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--store memory needs --net-config-path FILE:"
                    + " the in-memory store has no other source for the network config");
        }
        WeftCli.Context context = context();
        DaemonOptions options = new DaemonOptions(storeFlags.store, storeFlags.toOptions(), ifaces, ifaceRegexes,
                publicIp, subnetFile,
                LeaseTimings.DEFAULT.withRenewMargin(Duration.ofMinutes(renewMarginMinutes)), ipMasq, healthzIp,
                healthzPort, forwardRules, Duration.ofSeconds(iptablesResyncSeconds), revokeLeaseOnExit,
                ipsec.stateDir().orElse(null), ipsec.pskFile().orElse(null), Duration.ofSeconds(routeResyncSeconds));
        Daemon daemon = new Daemon(options, context.stores(), context.backends(), new ExternalInterfaceResolver(),
                context.clock(), new SystemdNotifier(context.environment().get("NOTIFY_SOCKET")));
        // First up, last down: a CNI call needs only subnet.env, and is answered "try again later" like
        // `weft cni` answers it until the daemon writes one.
        CniSocketServer cni = cniSocket.isEmpty() ? null : new CniSocketServer(Path.of(cniSocket));
        CountDownLatch closed = new CountDownLatch(1);
        Runnable stop = () -> {
            daemon.close();
            if (cni != null) {
                cni.close();
            }
        };
        context.onShutdown().accept(() -> {
            stop.run();
            closed.countDown();
        });
        try {
            daemon.start();
        } catch (RuntimeException e) {
            stop.run();
            throw e;
        }
        Optional<Throwable> failure = daemon.awaitStop(Long.MAX_VALUE, TimeUnit.DAYS);
        if (failure.isEmpty() && !closed.await(STOP_WAIT_SECONDS, TimeUnit.SECONDS)) {
            throw new WeftException("the daemon did not finish stopping within " + STOP_WAIT_SECONDS
                    + " s; check for a hung iptables or store call in the log");
        }
        if (failure.isPresent()) {
            stop.run();
            Throwable t = failure.get();
            throw t instanceof WeftException w ? w : new WeftException("daemon failed: " + t, t);
        }
        return 0;
    }
}
