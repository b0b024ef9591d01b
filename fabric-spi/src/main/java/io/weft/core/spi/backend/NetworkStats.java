package io.weft.core.spi.backend;

import io.weft.core.model.Ipv4Subnet;
import java.time.Instant;
import java.util.Map;
import java.util.Objects;

/**
 * A snapshot of a data path's counters, read by metrics and {@code weft status}. Immutable.
 *
 * @param txPackets packets sent to peers (TUN to underlay)
 * @param txBytes   bytes of those packets
 * @param rxPackets packets received from peers and delivered (underlay to TUN)
 * @param rxBytes   bytes of those packets
 * @param drops     dropped packets by reason, e.g. {@code unknown-peer}
 * @param peers     per-peer counters, by the peer's subnet
 */
public record NetworkStats(long txPackets, long txBytes, long rxPackets, long rxBytes, Map<String, Long> drops,
        Map<Ipv4Subnet, PeerStats> peers) {

    /** The counters of a data path that moves no packets. */
    public static final NetworkStats NONE = new NetworkStats(0, 0, 0, 0, Map.of(), Map.of());

    public NetworkStats {
        drops = Map.copyOf(Objects.requireNonNull(drops, "drops is null"));
        peers = Map.copyOf(Objects.requireNonNull(peers, "peers is null"));
    }

    /**
     * One peer's counters. Immutable.
     *
     * @param lastHeard when a packet from the peer last arrived, or null if none has
     */
    public record PeerStats(long txPackets, long txBytes, long rxPackets, long rxBytes, Instant lastHeard) {
    }
}
