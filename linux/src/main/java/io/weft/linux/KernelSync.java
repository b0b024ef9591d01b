package io.weft.linux;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the kernel's routes, ARP neighbours and FDB entries equal to what a kernel backend wants for its peers:
 * {@link #apply} installs a new wanted set (replacing entries, deleting those of peers that left), and
 * {@link #resync} compares the kernel's dumps with it, puts back what someone else removed (counted as repaired,
 * by kind) and deletes entries in weft's scope that no peer wants (left by a peer that went while weft was
 * down, or by an earlier configuration). {@link #states()} and {@link #repaired()} never wait for the kernel.
 * Weft's scope is the main table's gateway routes into the overlay
 * Network (other than this host's subnet) on the backend's device or the external interface, and permanent
 * neighbour and FDB entries on the backend's device. Owned by a backend's network; thread-safe (one operation at
 * a time).
 */
public final class KernelSync {
    private static final Logger LOG = LoggerFactory.getLogger(KernelSync.class);
    public static final String ROUTE = "route";
    public static final String NEIGHBOUR = "neighbour";
    public static final String FDB = "fdb";

    /**
     * Which kernel entries are weft's. Immutable.
     *
     * @param network   the overlay Network: routes into it are weft's
     * @param own       this host's subnet, whose routes are not weft's to remove
     * @param device    the backend's device (vxlan), or 0 for none (host-gw)
     * @param external  the external interface's index
     */
    public record Scope(Ipv4Subnet network, Ipv4Subnet own, int device, int external) {
        public Scope {
            Objects.requireNonNull(network, "network is null");
            Objects.requireNonNull(own, "own is null");
        }

        boolean owns(Route r) {
            return r.table() == Route.TABLE_MAIN && r.gateway() != 0 && network.contains(r.destination())
                    && !r.destination().equals(own) && !r.destination().equals(network)
                    && ((device != 0 && r.outputInterface() == device) || r.outputInterface() == external);
        }

        boolean owns(Neighbour n) {
            return device != 0 && n.index() == device && n.isPermanent() && network.contains(n.address());
        }

        boolean owns(FdbEntry e) {
            return device != 0 && e.index() == device && e.permanent() && e.mac().value() != 0;
        }
    }

    private final Rtnetlink rt;
    private Scope scope;
    private Map<Ipv4Subnet, PeerEntries> wanted = Map.of();
    /** Entries installed at least once: only these count as repaired when found missing. */
    private final Set<Object> installed = new HashSet<>();
    private final Map<Ipv4Subnet, String> states = new HashMap<>();
    /** What {@link #states()} returns: a copy published after each change, so a metrics scrape never waits. */
    private volatile Map<Ipv4Subnet, String> statesView = Map.of();
    private final Map<String, AtomicLong> repaired = new LinkedHashMap<>();

    public KernelSync(Rtnetlink rt, Scope scope) {
        this.rt = Objects.requireNonNull(rt, "rt is null");
        this.scope = Objects.requireNonNull(scope, "scope is null");
        for (String kind : List.of(ROUTE, NEIGHBOUR, FDB)) {
            repaired.put(kind, new AtomicLong());
        }
    }

    /** Changes weft's scope, e.g. when this host's own lease moved to another subnet. */
    public synchronized void scope(Scope newScope) {
        scope = Objects.requireNonNull(newScope, "newScope is null");
    }

    /**
     * Installs {@code next}: each peer whose entries are new or changed gets them (neighbour and FDB entries
     * before its routes, so the kernel never resolves a route's gateway on its own), and the entries of peers
     * that left or changed are deleted. A failure for one peer is logged and recorded in its state; the next
     * resync tries again.
     */
    public synchronized void apply(Map<Ipv4Subnet, PeerEntries> next) {
        Map<Ipv4Subnet, PeerEntries> previous = wanted;
        wanted = Map.copyOf(next);
        for (Map.Entry<Ipv4Subnet, PeerEntries> old : previous.entrySet()) {
            PeerEntries now = next.get(old.getKey());
            if (!old.getValue().equals(now)) {
                remove(old.getValue(), now == null ? new PeerEntries(List.of(), List.of(), List.of()) : now);
                if (now == null) {
                    states.remove(old.getKey());
                }
            }
        }
        for (Map.Entry<Ipv4Subnet, PeerEntries> e : next.entrySet()) {
            if (!e.getValue().equals(previous.get(e.getKey()))) {
                states.put(e.getKey(), install(e.getKey(), e.getValue()));
            }
        }
        statesView = Map.copyOf(states);
    }

    /**
     * Compares the kernel with the wanted entries: puts back what is missing (counting each as repaired when it
     * had been installed before) and, when {@code prune}, deletes weft's entries no peer wants.
     *
     * @param prune whether to delete unwanted entries: not before the peers are known (a restart adopts the
     *              entries a peer snapshot will ask for again)
     * @return how many entries it put back or deleted
     * @throws WeftException when the kernel cannot be listed (the caller retries at the next resync)
     */
    public synchronized int resync(boolean prune) {
        List<Route> routes = rt.routes();
        List<Neighbour> neighbours = rt.neighbours();
        List<FdbEntry> fdb = rt.fdb();
        int changes = 0;
        Set<Route> wantedRoutes = new HashSet<>();
        Set<String> wantedNeighbours = new HashSet<>();
        Set<String> wantedFdb = new HashSet<>();
        for (Map.Entry<Ipv4Subnet, PeerEntries> e : wanted.entrySet()) {
            PeerEntries p = e.getValue();
            List<String> missing = new ArrayList<>();
            for (Neighbour n : p.neighbours()) {
                wantedNeighbours.add(key(n));
                if (neighbours.stream().noneMatch(k -> key(k).equals(key(n)) && n.mac().equals(k.mac()))) {
                    missing.add(NEIGHBOUR);
                }
            }
            for (FdbEntry f : p.fdb()) {
                wantedFdb.add(key(f));
                if (fdb.stream().noneMatch(k -> key(k).equals(key(f)))) {
                    missing.add(FDB);
                }
            }
            for (Route r : p.routes()) {
                wantedRoutes.add(r);
                if (routes.stream().noneMatch(r::sameEntry)) {
                    missing.add(ROUTE);
                }
            }
            if (!missing.isEmpty()) {
                countRepairs(p, routes, neighbours, fdb);
                LOG.info("repairing peer={} missing={}", e.getKey(), String.join(",", missing));
                states.put(e.getKey(), install(e.getKey(), p));
                changes += missing.size();
            }
        }
        statesView = Map.copyOf(states);
        if (!prune) {
            return changes;
        }
        for (Route r : routes) {
            if (scope.owns(r) && wantedRoutes.stream().noneMatch(r::sameEntry)) {
                changes += delete(() -> rt.deleteRoute(r), "route " + r);
            }
        }
        for (Neighbour n : neighbours) {
            if (scope.owns(n) && !wantedNeighbours.contains(key(n))) {
                changes += delete(() -> rt.deleteNeighbour(n.index(), n.address()), "neighbour " + n);
            }
        }
        for (FdbEntry f : fdb) {
            if (scope.owns(f) && !wantedFdb.contains(key(f))) {
                changes += delete(() -> rt.deleteFdb(f), "fdb entry " + f);
            }
        }
        return changes;
    }

    /** Deletes every wanted entry (for a host leaving for good); failures are logged, the rest go on. */
    public synchronized void removeAll() {
        for (PeerEntries p : wanted.values()) {
            remove(p, new PeerEntries(List.of(), List.of(), List.of()));
        }
        wanted = Map.of();
        states.clear();
        statesView = Map.of();
    }

    /** Each wanted peer's state in a few words, e.g. {@code route ok, neighbour ok, fdb ok}. */
    public Map<Ipv4Subnet, String> states() {
        return statesView;
    }

    /** Entries put back so far, by kind ({@link #ROUTE}, {@link #NEIGHBOUR}, {@link #FDB}). */
    public Map<String, Long> repaired() {
        Map<String, Long> out = new LinkedHashMap<>();
        repaired.forEach((k, v) -> out.put(k, v.get()));
        return out;
    }

    private void countRepairs(PeerEntries p, List<Route> routes, List<Neighbour> neighbours, List<FdbEntry> fdb) {
        // Only entries that had been in the kernel count: a first install that failed is not a repair.
        // The caller re-installs all of the peer's entries; those present are replaced in place.
        for (Route r : p.routes()) {
            if (installed.contains(r) && routes.stream().noneMatch(r::sameEntry)) {
                repaired.get(ROUTE).incrementAndGet();
            }
        }
        for (Neighbour n : p.neighbours()) {
            if (installed.contains(n) && neighbours.stream().noneMatch(k -> key(k).equals(key(n))
                    && n.mac().equals(k.mac()))) {
                repaired.get(NEIGHBOUR).incrementAndGet();
            }
        }
        for (FdbEntry f : p.fdb()) {
            if (installed.contains(f) && fdb.stream().noneMatch(k -> key(k).equals(key(f)))) {
                repaired.get(FDB).incrementAndGet();
            }
        }
    }

    /** Installs one peer's entries; returns its state. */
    private String install(Ipv4Subnet peer, PeerEntries p) {
        try {
            for (Neighbour n : p.neighbours()) {
                rt.replaceNeighbour(n);
                installed.add(n);
            }
            for (FdbEntry f : p.fdb()) {
                rt.replaceFdb(f);
                installed.add(f);
            }
            for (Route r : p.routes()) {
                rt.replaceRoute(r);
                installed.add(r);
            }
            List<String> kinds = new ArrayList<>();
            if (!p.routes().isEmpty()) {
                kinds.add(ROUTE + " ok");
            }
            if (!p.neighbours().isEmpty()) {
                kinds.add("arp ok");
            }
            if (!p.fdb().isEmpty()) {
                kinds.add(FDB + " ok");
            }
            return String.join(", ", kinds);
        } catch (WeftException e) {
            LOG.warn("peer entries not installed peer={} error=\"{}\"; retrying at the next resync", peer, e.getMessage());
            return "failed: " + e.getMessage();
        }
    }

    /** Deletes {@code old}'s entries that {@code keep} does not also have: routes first, then FDB and neighbours. */
    private void remove(PeerEntries old, PeerEntries keep) {
        for (Route r : old.routes()) {
            if (keep.routes().stream().noneMatch(r::sameEntry)) {
                installed.remove(r);
                delete(() -> rt.deleteRoute(r), "route " + r);
            }
        }
        for (FdbEntry f : old.fdb()) {
            if (!keep.fdb().contains(f)) {
                installed.remove(f);
                delete(() -> rt.deleteFdb(f), "fdb entry " + f);
            }
        }
        for (Neighbour n : old.neighbours()) {
            if (keep.neighbours().stream().noneMatch(k -> key(k).equals(key(n)))) {
                installed.remove(n);
                delete(() -> rt.deleteNeighbour(n.index(), n.address()), "neighbour " + n);
            }
        }
    }

    private interface Deletion {
        boolean run();
    }

    private static int delete(Deletion deletion, String what) {
        try {
            if (deletion.run()) {
                LOG.info("removed stale {}", what);
                return 1;
            }
        } catch (WeftException e) {
            LOG.warn("could not remove {} error=\"{}\"; retrying at the next resync", what, e.getMessage());
        }
        return 0;
    }

    private static String key(Neighbour n) {
        return n.index() + "/" + n.address();
    }

    private static String key(FdbEntry f) {
        return f.index() + "/" + f.mac() + "/" + f.destination();
    }
}
