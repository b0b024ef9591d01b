package io.weft.linux;

import java.util.List;
import java.util.Objects;

/**
 * The kernel entries one peer needs on this host: routes, ARP neighbours and bridge FDB entries. Immutable.
 */
public record PeerEntries(List<Route> routes, List<Neighbour> neighbours, List<FdbEntry> fdb) {
    public PeerEntries {
        routes = List.copyOf(Objects.requireNonNull(routes, "routes is null"));
        neighbours = List.copyOf(Objects.requireNonNull(neighbours, "neighbours is null"));
        fdb = List.copyOf(Objects.requireNonNull(fdb, "fdb is null"));
    }

    /** Just a route, as host-gw (and vxlan's direct routing) gives a peer. */
    public static PeerEntries route(Route route) {
        return new PeerEntries(List.of(route), List.of(), List.of());
    }
}
