package io.weft.linux;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import java.util.Map;
import java.util.Objects;

/**
 * What a kernel backend does with its peers: the entries each usable peer needs, and the peers it leaves out
 * with the reason. Made by a backend's {@link Planner}; immutable.
 *
 * @param entries the kernel entries of each usable peer
 * @param refused each left-out peer's reason
 */
public record RoutePlan(Map<Ipv4Subnet, PeerEntries> entries, Map<Ipv4Subnet, Refusal> refused) {
    public RoutePlan {
        entries = Map.copyOf(Objects.requireNonNull(entries, "entries is null"));
        refused = Map.copyOf(Objects.requireNonNull(refused, "refused is null"));
    }

    /**
     * Why a peer is left out. Immutable.
     *
     * @param state   a few words for {@code weft status}, e.g. {@code refused: not on this L2 subnet}
     * @param logLine the one log line that says why and what to do, logged once while the reason holds
     */
    public record Refusal(String state, String logLine) {
        public Refusal {
            Objects.requireNonNull(state, "state is null");
            Objects.requireNonNull(logLine, "logLine is null");
        }
    }

    /** Turns the peers into a plan: pure, with no kernel access. */
    public interface Planner {
        RoutePlan plan(Map<Ipv4Subnet, Lease> peers);
    }
}
