package io.weft.core.spi.backend;

import io.weft.core.model.Ipv4Subnet;
import java.time.Instant;
import java.util.List;
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
 * @param offloads  the offloads the data path runs with, e.g. {@code udp-gso}; empty for none
 * @param queues    packets each forwarding queue moved, in queue order; empty for a data path without queues
 * @param keyChanges how often each peer's published key changed while this host ran, by the peer's PublicIP;
 *                  empty for a backend without per-host keys
 * @param peerStates each peer's kernel state in a few words, e.g. {@code route ok, arp ok, fdb ok}, for a
 *                  backend that configures the kernel rather than moving packets; empty for others
 * @param repaired  kernel entries put back after someone else removed them, by kind ({@code route},
 *                  {@code neighbour}, {@code fdb}, {@code device}); empty for others
 */
public record NetworkStats(long txPackets, long txBytes, long rxPackets, long rxBytes, Map<String, Long> drops,
        Map<Ipv4Subnet, PeerStats> peers, List<String> offloads, List<QueueStats> queues,
        Map<String, Long> keyChanges, Map<Ipv4Subnet, String> peerStates, Map<String, Long> repaired) {

    /** The counters of a data path that moves no packets. */
    public static final NetworkStats NONE = new NetworkStats(0, 0, 0, 0, Map.of(), Map.of());

    public NetworkStats {
        drops = Map.copyOf(Objects.requireNonNull(drops, "drops is null"));
        peers = Map.copyOf(Objects.requireNonNull(peers, "peers is null"));
        offloads = List.copyOf(Objects.requireNonNull(offloads, "offloads is null"));
        queues = List.copyOf(Objects.requireNonNull(queues, "queues is null"));
        keyChanges = Map.copyOf(Objects.requireNonNull(keyChanges, "keyChanges is null"));
        peerStates = Map.copyOf(Objects.requireNonNull(peerStates, "peerStates is null"));
        repaired = Map.copyOf(Objects.requireNonNull(repaired, "repaired is null"));
    }

    /** Counters of a data path with per-peer key changes, and no kernel state to report. */
    public NetworkStats(long txPackets, long txBytes, long rxPackets, long rxBytes, Map<String, Long> drops,
            Map<Ipv4Subnet, PeerStats> peers, List<String> offloads, List<QueueStats> queues,
            Map<String, Long> keyChanges) {
        this(txPackets, txBytes, rxPackets, rxBytes, drops, peers, offloads, queues, keyChanges, Map.of(), Map.of());
    }

    /** The state of a backend that only configures the kernel: no packet counters of its own. */
    public static NetworkStats kernelState(Map<Ipv4Subnet, String> peerStates, Map<String, Long> repaired) {
        return new NetworkStats(0, 0, 0, 0, Map.of(), Map.of(), List.of(), List.of(), Map.of(), peerStates, repaired);
    }

    /** Counters of a data path whose peers have no keys of their own. */
    public NetworkStats(long txPackets, long txBytes, long rxPackets, long rxBytes, Map<String, Long> drops,
            Map<Ipv4Subnet, PeerStats> peers, List<String> offloads, List<QueueStats> queues) {
        this(txPackets, txBytes, rxPackets, rxBytes, drops, peers, offloads, queues, Map.of());
    }

    /** Counters of a data path with no offloads and no queues to report. */
    public NetworkStats(long txPackets, long txBytes, long rxPackets, long rxBytes, Map<String, Long> drops,
            Map<Ipv4Subnet, PeerStats> peers) {
        this(txPackets, txBytes, rxPackets, rxBytes, drops, peers, List.of(), List.of());
    }

    /** The same counters with other drops (a backend that adds its own reasons to the data path's). */
    public NetworkStats withDrops(Map<String, Long> newDrops) {
        return new NetworkStats(txPackets, txBytes, rxPackets, rxBytes, newDrops, peers, offloads, queues,
                keyChanges, peerStates, repaired);
    }

    /** The same counters with each peer's key changes (a backend that keys each host). */
    public NetworkStats withKeyChanges(Map<String, Long> newKeyChanges) {
        return new NetworkStats(txPackets, txBytes, rxPackets, rxBytes, drops, peers, offloads, queues,
                newKeyChanges, peerStates, repaired);
    }

    /**
     * One forwarding queue's packets. Immutable.
     *
     * @param txPackets packets it sent to peers
     * @param rxPackets packets it delivered from peers
     */
    public record QueueStats(long txPackets, long rxPackets) {
    }

    /**
     * One peer's counters. Immutable.
     *
     * @param lastHeard when a packet from the peer last arrived, or null if none has
     */
    public record PeerStats(long txPackets, long txBytes, long rxPackets, long rxBytes, Instant lastHeard) {
    }
}
