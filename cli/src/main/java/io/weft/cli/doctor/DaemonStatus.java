package io.weft.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import java.io.IOException;
import java.util.HashMap;
import java.util.Map;

/**
 * What doctor reads from the daemon's {@code /status}: this host's lease, backend, MTUs and each peer's counters.
 * Immutable.
 *
 * @param subnet            this host's subnet
 * @param publicIp          this host's PublicIP
 * @param network           the Network
 * @param backend           the backend type
 * @param mtu               the overlay MTU
 * @param externalInterface the underlay interface's name
 * @param underlayMtu       the underlay MTU the overlay MTU was sized for ({@code Backend.MTU} or the interface's)
 * @param ready             whether the daemon says it is ready
 * @param peers             each peer's counters, by subnet
 * @param drops             this host's dropped packets by reason
 */
public record DaemonStatus(Ipv4Subnet subnet, String publicIp, Ipv4Subnet network, String backend, int mtu,
        String externalInterface, int underlayMtu, boolean ready, Map<Ipv4Subnet, PeerCounters> peers,
        Map<String, Long> drops) {
    public DaemonStatus {
        peers = Map.copyOf(peers);
        drops = Map.copyOf(drops);
    }

    /**
     * A peer as the daemon knows it, with its packets as this host's data path counted them (zero for a kernel
     * backend, which counts none).
     *
     * @param publicIp the peer's PublicIP
     * @param tx       packets sent to the peer
     * @param rx       packets received from it
     */
    public record PeerCounters(String publicIp, long tx, long rx) {
    }

    /**
     * Reads the {@code /status} document.
     *
     * @throws WeftException when it is not one, or the daemon holds no lease yet
     */
    public static DaemonStatus parse(String json) {
        JsonNode s;
        try {
            s = new ObjectMapper().readTree(json);
        } catch (IOException e) {
            throw new WeftException("the daemon answered something that is not status JSON: " + e.getMessage());
        }
        if (s == null || !s.path("subnet").isTextual() || !s.path("network").isTextual()) {
            throw new WeftException("the daemon holds no lease yet: its status has no subnet");
        }
        Map<Ipv4Subnet, PeerCounters> peers = new HashMap<>();
        for (JsonNode p : s.path("peers")) {
            peers.put(Ipv4Subnet.parse("peer subnet", p.path("subnet").asText()),
                    new PeerCounters(p.path("publicIP").asText(), p.path("txPackets").asLong(), p.path("rxPackets").asLong()));
        }
        Map<String, Long> drops = new HashMap<>();
        s.path("drops").fields().forEachRemaining(e -> drops.put(e.getKey(), e.getValue().asLong()));
        return new DaemonStatus(Ipv4Subnet.parse("subnet", s.path("subnet").asText()), s.path("publicIP").asText(),
                Ipv4Subnet.parse("network", s.path("network").asText()), s.path("backend").asText(),
                s.path("mtu").asInt(), s.path("externalInterface").asText(""), s.path("underlayMtu").asInt(),
                s.path("ready").asBoolean(), peers, drops);
    }

    /** Whether the backend has a device of its own holding this host's overlay address (all but host-gw). */
    boolean hasDevice() {
        return !"host-gw".equals(backend);
    }
}
