package io.weft.cli.doctor;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.linux.IcmpEcho;
import io.weft.linux.Syscalls;
import io.weft.linux.UdpPortProbe;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Doctor's live checks of each peer, all peers in parallel and each probe with a timeout: the underlay reaches the
 * peer's PublicIP (ICMP echo); the overlay reaches its device address (ICMP echo from this host, so through weft's own
 * data path and answered by the peer's kernel behind the peer's data path); and, when it does, the path MTU (echoes
 * with DF set: a full-size one, else a search in {@value #SEARCH_ROUNDS} rounds of up to {@value #SEARCH_PROBES}
 * sizes for the largest that passes). When the overlay does not answer it tells the likely causes apart: the underlay
 * itself; this host's packets leaving from another address than its lease's PublicIP (the peer drops them as a
 * stranger's); nothing listening on the peer's backend port (an ICMP port unreachable: the peer's daemon is
 * stopped); or silence, with this host's counters for the peer (sent, never heard back): a blocked port or a peer
 * that does not know this host. The port probe, one empty datagram, is sent only then. Changes nothing. One use.
 */
final class PeerChecks {
    static final int SEARCH_ROUNDS = 3;
    static final int SEARCH_PROBES = 15;
    private static final Duration REACH_WAIT = Duration.ofMillis(1500);
    private static final Duration MTU_WAIT = Duration.ofMillis(800);
    private static final Duration PORT_WAIT = Duration.ofSeconds(1);
    /** Within doctor's 10 s: a JVM start, the status and the store come first. */
    private static final Duration BUDGET = Duration.ofSeconds(7);
    private static final String SCOPE = "peer";

    private final Syscalls sys;
    private final DaemonStatus before;
    private final Supplier<Optional<DaemonStatus>> statusNow;
    private final Supplier<Integer> backendPort;
    /** Why a probe could not even be sent, by address. */
    private final Map<String, String> unsendable = new ConcurrentHashMap<>();

    /**
     * @param before      the daemon's status before any probe, for the peers' counters
     * @param statusNow   the daemon's status read again, after the overlay probes
     * @param backendPort the peers' backend UDP port, or 0 for a backend without one (host-gw); asked for only when
     *                    the overlay does not answer
     */
    PeerChecks(Syscalls sys, DaemonStatus before, Supplier<Optional<DaemonStatus>> statusNow,
            Supplier<Integer> backendPort) {
        this.sys = sys;
        this.before = before;
        this.statusNow = statusNow;
        this.backendPort = backendPort;
    }

    List<Check> run(List<Peer> peers) throws InterruptedException {
        if (peers.isEmpty()) {
            return List.of();
        }
        long deadline = System.nanoTime() + BUDGET.toNanos();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(256, 2 * peers.size()), r -> {
            Thread t = new Thread(r, "weft-doctor-probe");
            t.setDaemon(true);
            return t;
        });
        try {
            Map<Peer, Future<Boolean>> underlay = new LinkedHashMap<>();
            Map<Peer, Future<Boolean>> overlay = new LinkedHashMap<>();
            for (Peer p : peers) {
                underlay.put(p, pool.submit(() -> reachable(p.publicIp())));
                overlay.put(p, pool.submit(() -> reachable(p.deviceAddress())));
            }
            Map<Peer, Boolean> underlayOk = new LinkedHashMap<>();
            Map<Peer, Boolean> overlayOk = new LinkedHashMap<>();
            for (Peer p : peers) {
                underlayOk.put(p, get(underlay.get(p), deadline).orElse(false));
                overlayOk.put(p, get(overlay.get(p), deadline).orElse(false));
            }
            Optional<DaemonStatus> after = overlayOk.containsValue(false) ? statusNow.get() : Optional.empty();
            Map<Peer, Future<Check>> second = new LinkedHashMap<>();
            for (Peer p : peers) {
                second.put(p, pool.submit(() -> overlayOk.get(p) ? pathMtu(p, deadline)
                        : unreachable(p, underlayOk.get(p), after)));
            }
            List<Check> checks = new ArrayList<>();
            for (Peer p : peers) {
                checks.add(underlayOk.get(p) ? Check.ok(SCOPE, p.subject(), "underlay", "echo from " + p.publicIp())
                        : Check.fail(SCOPE, p.subject(), "underlay", Optional.ofNullable(unsendable.get(p.publicIp()))
                                .map(why -> "cannot send to " + p.publicIp() + ": " + why)
                                .orElse("no echo from " + p.publicIp() + " within " + REACH_WAIT.toMillis() + " ms"),
                                "the underlay between this host and " + p.publicIp() + " is down, or a firewall drops"
                                        + " ICMP",
                                "check the route and firewalls between the hosts: ping " + p.publicIp()));
                if (overlayOk.get(p)) {
                    checks.add(Check.ok(SCOPE, p.subject(), "overlay", "echo from " + p.deviceAddress()
                            + " through the overlay"));
                }
                checks.add(get(second.get(p), deadline).orElse(Check.skip(SCOPE, p.subject(),
                        overlayOk.get(p) ? "path-mtu" : "overlay", "not finished within doctor's time budget")));
                if (!overlayOk.get(p)) {
                    checks.add(Check.skip(SCOPE, p.subject(), "path-mtu", "needs the overlay to answer"));
                }
            }
            return checks;
        } finally {
            pool.shutdownNow();
        }
    }

    private static <T> Optional<T> get(Future<T> f, long deadline) throws InterruptedException {
        try {
            return Optional.ofNullable(f.get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            f.cancel(true);
            return Optional.empty();
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
    }

    private boolean reachable(String address) {
        try (IcmpEcho echo = IcmpEcho.open(sys, Ipv4.parse("address", address))) {
            return echo.reachable(REACH_WAIT);
        } catch (WeftException e) {
            unsendable.put(address, e.getMessage()); // e.g. no route: the kernel will not send to it at all
            return false;
        }
    }

    /** A full-size DF echo; if it dies, the largest that passes and the Backend.MTU that makes full size pass. */
    private Check pathMtu(Peer p, long deadline) {
        int full = before.mtu();
        try (IcmpEcho echo = IcmpEcho.open(sys, Ipv4.parse("address", p.deviceAddress()))) {
            if (!echo.probe(List.of(full, full), MTU_WAIT).isEmpty()) {
                return Check.ok(SCOPE, p.subject(), "path-mtu", full + "-byte packets with DF set pass (the overlay"
                        + " MTU)");
            }
            int passes = IcmpEcho.SMALL;
            int dies = full;
            for (int round = 0; round < SEARCH_ROUNDS && dies - passes > 1 && System.nanoTime() < deadline; round++) {
                List<Integer> sizes = between(passes, dies);
                Set<Integer> answered = echo.probe(sizes, MTU_WAIT);
                for (int size : sizes) {
                    if (answered.contains(size)) {
                        passes = Math.max(passes, size);
                    }
                }
                for (int size : sizes) {
                    if (size > passes && !answered.contains(size)) {
                        dies = Math.min(dies, size);
                    }
                }
            }
            int suggested = passes + before.underlayMtu() - before.mtu();
            return Check.fail(SCOPE, p.subject(), "path-mtu", full + "-byte packets with DF set die on the way to "
                            + p.deviceAddress() + "; the largest that passes is " + passes,
                    "a link between here and " + p.publicIp() + " carries less than the underlay MTU "
                            + before.underlayMtu() + " the overlay MTU " + full + " was sized for",
                    "set Backend.MTU to " + suggested + " in the network config (weft config put) and restart weft"
                            + " on every host");
        } catch (WeftException e) {
            return Check.skip(SCOPE, p.subject(), "path-mtu", "cannot probe: " + e.getMessage());
        }
    }

    /** Up to {@link #SEARCH_PROBES} sizes spread evenly strictly between {@code low} and {@code high}. */
    static List<Integer> between(int low, int high) {
        int gap = high - low - 1;
        int n = Math.min(SEARCH_PROBES, gap);
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i <= n; i++) {
            sizes.add(low + (int) ((long) i * (gap + 1) / (n + 1)));
        }
        return sizes;
    }

    /** Why the overlay does not answer, as far as can be told from here. */
    private Check unreachable(Peer p, boolean underlayOk, Optional<DaemonStatus> after) {
        String detail = "no echo from " + p.deviceAddress() + " through the overlay within " + REACH_WAIT.toMillis()
                + " ms";
        String local = unsendable.get(p.deviceAddress());
        if (local != null) {
            return Check.fail(SCOPE, p.subject(), "overlay", "cannot send to " + p.deviceAddress() + ": " + local,
                    "this host has no route to the peer's subnet", "see the route check; restart weft to put its"
                            + " routes back");
        }
        if (!underlayOk) {
            return Check.fail(SCOPE, p.subject(), "overlay", detail, "the underlay does not reach " + p.publicIp(),
                    "fix the underlay first (see the underlay check)");
        }
        Optional<String> source = sourceToward(p.publicIp());
        if (source.isPresent() && !source.get().equals(before.publicIp())) {
            return Check.fail(SCOPE, p.subject(), "overlay", detail, "the peer drops this host's packets as a"
                            + " stranger's: they leave from " + source.get() + " but this host's lease has PublicIP "
                            + before.publicIp(),
                    "start the daemon with --public-ip " + source.get() + ", or pick the interface with --iface");
        }
        String counters = counters(p, after);
        int backendPort = this.backendPort.get();
        if (backendPort == 0) {
            return Check.fail(SCOPE, p.subject(), "overlay", detail + counters, "the peer does not forward to its"
                    + " subnet, or its route back to this host's subnet is missing", "run weft doctor on "
                    + p.publicIp() + ": check ip_forward and its routes");
        }
        String port = "UDP " + backendPort + " at " + p.publicIp();
        if (UdpPortProbe.refused(sys, Ipv4.parse("PublicIP", p.publicIp()), backendPort, PORT_WAIT)) {
            return Check.fail(SCOPE, p.subject(), "overlay", detail + "; " + port + " answers port unreachable",
                    "nothing listens on " + port + ": the weft daemon there is stopped (its lease stays until it"
                            + " expires), or a firewall rejects the port",
                    "start weft on " + p.publicIp() + " (systemctl start weft); if the host left for good, weft"
                            + " leases revoke " + p.subnet());
        }
        return Check.fail(SCOPE, p.subject(), "overlay", detail + counters + "; " + port + " sends nothing back",
                port + " is blocked (a firewall drops it on the way or on the peer), or the peer's daemon drops"
                        + " this host's packets as a stranger's (it does not know this host's lease)",
                "allow " + port + " from " + before.publicIp() + " (on the peer: iptables -I INPUT -p udp --dport "
                        + backendPort + " -s " + before.publicIp() + " -j ACCEPT), and check that weft status on the"
                        + " peer lists " + before.subnet());
    }

    /** {@code ; this host sent it 3 packet(s) while probing and heard 0 back}, for a data path that counts. */
    private String counters(Peer p, Optional<DaemonStatus> after) {
        DaemonStatus.PeerCounters was = before.peers().get(p.subnet());
        DaemonStatus.PeerCounters now = after.map(s -> s.peers().get(p.subnet())).orElse(null);
        if (was == null || now == null || now.tx() == was.tx() && now.tx() == 0) {
            return "";
        }
        return "; this host sent it " + (now.tx() - was.tx()) + " packet(s) while probing and heard "
                + (now.rx() - was.rx()) + " back (" + now.tx() + " sent, " + now.rx() + " heard in all)";
    }

    /** The address this host's packets to {@code publicIp} leave from, as the kernel picks it (nothing is sent). */
    static Optional<String> sourceToward(String publicIp) {
        try (DatagramSocket s = new DatagramSocket()) {
            s.connect(InetAddress.getByName(publicIp), 9);
            InetAddress local = s.getLocalAddress();
            return local == null || local.isAnyLocalAddress() ? Optional.empty() : Optional.of(local.getHostAddress());
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
