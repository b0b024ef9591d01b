package io.weft.core.ops;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.ExternalInterface;
import io.weft.core.spi.backend.NetworkStats;
import java.time.Instant;
import java.util.Map;
import java.util.TreeMap;

/**
 * Renders the {@code /status} document that {@code weft status} and {@code weft doctor} read: this host's lease,
 * expiry, MTU, the external interface and the underlay MTU the backend was sized for, backend and network, then each peer with its counters, how often its key changed, when it was last heard from
 * and (for a kernel backend) the state of its route and neighbour entries, and the kernel entries repaired so
 * far. Stateless.
 */
public final class StatusJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StatusJson() {
    }

    /**
     * @param underlay the underlay interface as the backend was sized for it (its MTU is {@code Backend.MTU} when
     *                 set), or null before the host has joined
     */
    public static String render(Lease lease, NetworkConfig config, int mtu, ExternalInterface underlay, boolean ready,
            Map<Ipv4Subnet, Lease> peers, NetworkStats stats) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("ready", ready);
        root.put("network", config == null ? null : config.network().toString());
        root.put("backend", config == null ? null : config.backend().type());
        root.put("subnet", lease == null ? null : lease.subnet().toString());
        root.put("publicIP", lease == null ? null : lease.attrs().publicIp());
        root.put("expiration", lease == null ? null : lease.expiration().map(Instant::toString).orElse(null));
        root.put("reserved", lease != null && lease.isReservation());
        root.put("mtu", mtu);
        root.put("externalInterface", underlay == null ? null : underlay.name());
        root.put("underlayMtu", underlay == null ? 0 : underlay.mtu());
        ObjectNode totals = root.putObject("totals");
        totals.put("txPackets", stats.txPackets());
        totals.put("txBytes", stats.txBytes());
        totals.put("rxPackets", stats.rxPackets());
        totals.put("rxBytes", stats.rxBytes());
        ArrayNode offloads = root.putArray("offloads");
        stats.offloads().forEach(offloads::add);
        ArrayNode queues = root.putArray("queues");
        for (NetworkStats.QueueStats q : stats.queues()) {
            queues.addObject().put("txPackets", q.txPackets()).put("rxPackets", q.rxPackets());
        }
        ObjectNode drops = root.putObject("drops");
        new TreeMap<>(stats.drops()).forEach(drops::put);
        ObjectNode repaired = root.putObject("repaired");
        new TreeMap<>(stats.repaired()).forEach(repaired::put);
        ArrayNode list = root.putArray("peers");
        for (Lease peer : new TreeMap<>(peers).values()) {
            ObjectNode p = list.addObject();
            p.put("subnet", peer.subnet().toString());
            p.put("publicIP", peer.attrs().publicIp());
            p.put("backend", peer.attrs().backendType());
            NetworkStats.PeerStats ps = stats.peers().get(peer.subnet());
            p.put("txPackets", ps == null ? 0 : ps.txPackets());
            p.put("txBytes", ps == null ? 0 : ps.txBytes());
            p.put("rxPackets", ps == null ? 0 : ps.rxPackets());
            p.put("rxBytes", ps == null ? 0 : ps.rxBytes());
            p.put("keyChanges", stats.keyChanges().getOrDefault(peer.attrs().publicIp(), 0L));
            p.put("lastHeard", ps == null || ps.lastHeard() == null ? null : ps.lastHeard().toString());
            p.put("state", stats.peerStates().get(peer.subnet()));
        }
        try {
            return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new WeftException("status could not be rendered: " + e.getOriginalMessage(), e);
        }
    }
}
