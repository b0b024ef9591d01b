package io.weft.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.daemon.SubnetEnvFile;
import io.weft.core.iptables.ForwardCheck;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.Store;
import io.weft.linux.IcmpEcho;
import io.weft.linux.Rtnetlink;
import io.weft.linux.Syscalls;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code weft doctor}'s checks in order: the daemon (its {@code /status} and {@code /readyz}), this host
 * ({@link HostChecks}), the store ({@link StoreChecks}), then each peer or the one asked for ({@link PeerChecks}, and
 * for ipsec {@link IpsecChecks}).
 * Reads and probes; never changes anything. One use, on one thread.
 */
public final class Doctor {
    private static final String SUBJECT = "this host";

    /** What doctor reads the daemon through: its {@code /status} body, and {@code /readyz}'s answer. */
    public interface Endpoint {
        /** {@code /status}'s body; throws {@link WeftException} when the daemon cannot be reached. */
        String status() throws InterruptedException;

        /** Why the daemon is not ready ({@code /readyz}'s body), or empty when it is. */
        Optional<String> notReady() throws InterruptedException;
    }

    /** Which peers to check: all, or the one whose subnet or PublicIP is given. */
    public record PeerFilter(Optional<Ipv4Subnet> subnet, Optional<String> publicIp) {
        public static final PeerFilter ALL = new PeerFilter(Optional.empty(), Optional.empty());

        boolean matches(Peer p) {
            return subnet.map(s -> s.equals(p.subnet())).orElse(true)
                    && publicIp.map(ip -> ip.equals(p.publicIp())).orElse(true);
        }

        boolean all() {
            return subnet.isEmpty() && publicIp.isEmpty();
        }

        @Override
        public String toString() {
            return subnet.map(Ipv4Subnet::toString).or(() -> publicIp).orElse("all");
        }
    }

    /** The {@code --peer} named no peer of this host: a usage error. */
    public static final class NoSuchPeer extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NoSuchPeer(String message) {
            super(message);
        }
    }

    private final Endpoint endpoint;
    private final Function<NetworkConfig, List<String>> ipsecReport;
    private final Supplier<Store> store;
    private final SubnetEnvFile subnetFile;
    private final Clock clock;

    /**
     * @param ipsecReport the ipsec backend's SA report as JSON ({@code weft ipsec sa}'s {@code json} format) for the
     *                    network config; throws {@link WeftException} when it cannot be read
     */
    public Doctor(Endpoint endpoint, Function<NetworkConfig, List<String>> ipsecReport, Supplier<Store> store,
            Path subnetFile, Clock clock) {
        this.endpoint = endpoint;
        this.ipsecReport = ipsecReport;
        this.store = store;
        this.subnetFile = new SubnetEnvFile(subnetFile);
        this.clock = clock;
    }

    /**
     * Runs every check.
     *
     * @throws NoSuchPeer when {@code filter} names no peer
     */
    public List<Check> run(PeerFilter filter) throws InterruptedException {
        // The store client is the slowest part to start: read it meanwhile, and probe the peers the daemon knows.
        // Its listing reads the expiration of this host's lease only (a query per lease on etcd), once the daemon has
        // said which it is.
        CompletableFuture<Optional<Ipv4Subnet>> ownSubnet = new CompletableFuture<>();
        CompletableFuture<StoreRead> store = CompletableFuture.supplyAsync(() -> readStore(ownSubnet),
                Doctor::daemonThread);
        List<Check> checks = new ArrayList<>();
        DaemonStatus status;
        try {
            status = DaemonStatus.parse(endpoint.status());
            ownSubnet.complete(Optional.of(status.subnet()));
        } catch (WeftException e) {
            ownSubnet.complete(Optional.empty());
            checks.add(Check.fail("host", SUBJECT, "daemon", e.getMessage(), "the weft daemon is not running here,"
                    + " is still starting, or listens on another --healthz-port",
                    "start it (systemctl start weft), wait until it is ready, or give doctor its --healthz-port"));
            StoreRead read = join(store);
            checks.add(read.error().map(Doctor::storeFailed).orElseGet(() -> Check.ok("store", "store", "store",
                    "answers: " + read.leases().get().size() + " lease(s)")));
            return checks;
        } finally {
            ownSubnet.complete(Optional.empty()); // whatever ended the read: the store's must not wait for it
        }
        Optional<String> notReady = endpoint.notReady();
        checks.add(notReady.isEmpty() ? Check.ok("host", SUBJECT, "daemon", "ready: subnet " + status.subnet()
                + ", backend " + status.backend() + ", MTU " + status.mtu())
                : Check.fail("host", SUBJECT, "daemon", "not ready: " + notReady.get(), "the daemon has not finished"
                        + " starting, or its data path stopped", "see the daemon's log (journalctl -u weft)"));

        List<Peer> all = status.peers().entrySet().stream()
                .map(e -> new Peer(e.getKey(), e.getValue().publicIp()))
                .sorted(Comparator.comparing(Peer::subnet)).toList();
        List<Peer> peers = all.stream().filter(filter::matches).toList();
        if (peers.isEmpty() && !filter.all()) {
            throw new NoSuchPeer("--peer " + filter + " names no peer of this host: its peers are "
                    + (all.isEmpty() ? "none" : String.join(", ", all.stream().map(Peer::subject).toList()))
                    + "; give a peer's subnet or PublicIP as weft status shows them");
        }

        Syscalls sys;
        try {
            sys = Syscalls.load();
        } catch (WeftException e) {
            checks.add(Check.skip("host", SUBJECT, "kernel", e.getMessage()));
            checks.addAll(join(store).checks(status, clock));
            return checks;
        }
        Optional<String> noRaw = rawSockets(sys);
        Supplier<Integer> port = () -> store.join().config().map(c -> backendPort(c, status.backend()))
                .orElse(defaultPort(status.backend()));
        CompletableFuture<List<Check>> probes = noRaw.isPresent() ? CompletableFuture.completedFuture(List.of())
                : CompletableFuture.supplyAsync(() -> probe(sys, status, port, peers), Doctor::daemonThread);
        try (Rtnetlink rt = Rtnetlink.open(sys)) {
            checks.addAll(new HostChecks(rt, Path.of("/proc/sys/net/ipv4"), new ForwardCheck())
                    .run(status, all, subnetFile));
        } catch (WeftException e) {
            checks.add(Check.skip("host", SUBJECT, "kernel", "cannot read the kernel's devices and routes: "
                    + e.getMessage()));
        }
        checks.addAll(join(store).checks(status, clock));
        if (noRaw.isPresent()) {
            peers.forEach(p -> checks.add(Check.skip("peer", p.subject(), "probes", noRaw.get())));
        } else {
            checks.addAll(join(probes));
        }
        if ("ipsec".equals(status.backend()) && !peers.isEmpty()) {
            checks.addAll(ipsec(status, peers, join(store).config()));
        }
        return checks;
    }

    /** The SA check of each peer; skipped, with why, when the report cannot be read. */
    private List<Check> ipsec(DaemonStatus status, List<Peer> peers, Optional<NetworkConfig> config) {
        if (config.isEmpty()) {
            return peers.stream().map(p -> Check.skip("peer", p.subject(), "ipsec", "needs the network config from"
                    + " the store")).toList();
        }
        try {
            JsonNode report = new ObjectMapper().readTree(String.join("\n", ipsecReport.apply(config.get())));
            Optional<DaemonStatus> now = statusQuietly();
            return IpsecChecks.run(peers, report, now.orElse(status).drops());
        } catch (WeftException | IOException e) {
            return peers.stream().map(p -> Check.skip("peer", p.subject(), "ipsec", "cannot read this host's SAs: "
                    + e.getMessage())).toList();
        }
    }

    private List<Check> probe(Syscalls sys, DaemonStatus status, Supplier<Integer> port, List<Peer> peers) {
        try {
            return new PeerChecks(sys, status, this::statusQuietly, port).run(peers);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return List.of();
        }
    }

    private static void daemonThread(Runnable r) {
        Thread t = new Thread(r, "weft-doctor");
        t.setDaemon(true);
        t.start();
    }

    private static <T> T join(CompletableFuture<T> f) throws InterruptedException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : new IllegalStateException(e.getCause());
        }
    }

    private Optional<DaemonStatus> statusQuietly() {
        try {
            return Optional.of(DaemonStatus.parse(endpoint.status()));
        } catch (WeftException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        }
    }

    /** Whether this process may open raw ICMP sockets (root or CAP_NET_RAW); nothing is sent. */
    private static Optional<String> rawSockets(Syscalls sys) {
        try (IcmpEcho echo = IcmpEcho.open(sys, Ipv4.parse("loopback", "127.0.0.1"))) {
            return Optional.empty();
        } catch (WeftException e) {
            return Optional.of("cannot probe: " + e.getMessage());
        }
    }

    /** The peers' backend UDP port: Backend.Port, else the backend's default; 0 for host-gw, which has none. */
    static int backendPort(NetworkConfig config, String backend) {
        int fallback = defaultPort(backend);
        if (fallback == 0) {
            return 0;
        }
        try {
            int port = config.backend().intField("Port", fallback, 0, 65535);
            return port == 0 ? fallback : port; // vxlan's 0: the kernel's default
        } catch (WeftException e) {
            return fallback;
        }
    }

    /** udp 8285, ipsec 4500 and vxlan 8472 (the kernel's), as their backends default; 0 for others. */
    static int defaultPort(String backend) {
        return switch (backend) {
            case "udp" -> 8285;
            case "ipsec" -> 4500;
            case "vxlan" -> 8472;
            default -> 0;
        };
    }

    /** The store's config and leases, or why they could not be read. */
    private record StoreRead(Optional<NetworkConfig> config, Optional<List<Lease>> leases, Optional<String> error,
            String where) {
        List<Check> checks(DaemonStatus status, Clock clock) {
            if (error.isPresent()) {
                return List.of(storeFailed(error.get()));
            }
            List<Check> checks = new ArrayList<>();
            checks.add(Check.ok("store", where, "store", "answers: " + leases.get().size() + " lease(s)"));
            checks.addAll(StoreChecks.run(status, leases.get(), clock.instant()));
            return checks;
        }
    }

    private static Check storeFailed(String message) {
        return Check.fail("store", "store", "store", message, "the store (etcd) is down or unreachable from here, or"
                + " the store flags differ from the daemon's", "check that etcd runs and give doctor the daemon's"
                + " --etcd-endpoints and credentials");
    }

    /** The store's config and leases, with the expiration of the lease of {@code ownSubnet} (when it is given). */
    private StoreRead readStore(CompletableFuture<Optional<Ipv4Subnet>> ownSubnet) {
        try (Store s = store.get()) {
            Optional<NetworkConfig> config;
            try {
                config = Optional.of(NetworkConfigParser.parse(s.readNetworkConfig()));
            } catch (WeftException e) {
                config = Optional.empty();
            }
            Optional<Ipv4Subnet> own = ownSubnet.join();
            List<Lease> leases = s.listLeases(l -> own.isPresent() && own.get().equals(l.subnet())).leases();
            return new StoreRead(config, Optional.of(leases), Optional.empty(), "store");
        } catch (WeftException e) {
            return new StoreRead(Optional.empty(), Optional.empty(), Optional.of(e.getMessage()), "store");
        }
    }
}
