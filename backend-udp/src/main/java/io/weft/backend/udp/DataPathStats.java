package io.weft.backend.udp;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.spi.backend.NetworkStats;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The data path's totals: packets and bytes each way, ICMP errors sent, and drops by {@link DropReason}.
 * Each forwarding thread writes only its own {@link Side} ({@link #tx(int)} for a queue's tun-to-udp loop,
 * {@link #rx(int)} for its udp-to-tun loop), allocation-free; anyone reads, and a total is the sum over
 * the sides. Thread-safe.
 */
final class DataPathStats {
    private final Side[] tx;
    private final Side[] rx;

    DataPathStats() {
        this(1);
    }

    /** @param queues how many forwarding pairs write here, each to its own two sides */
    DataPathStats(int queues) {
        tx = new Side[queues];
        rx = new Side[queues];
        for (int q = 0; q < queues; q++) {
            tx[q] = new Side();
            rx[q] = new Side();
        }
    }

    /**
     * One thread's counters. With a single writer, an update is a plain read and an ordered write instead of
     * a locked read-modify-write; the counters are padded by 128 bytes on both sides so two sides (and
     * neighbouring objects) never share a cache line. Written by one thread only; read by any.
     */
    static final class Side {
        private static final int PAD = 16;
        private static final int PACKETS = PAD;
        private static final int BYTES = PAD + 1;
        private static final int ICMP_SENT = PAD + 2;
        private static final int DROPS = PAD + 3;
        private final AtomicLongArray counters = new AtomicLongArray(DROPS + DropReason.values().length + PAD);

        private void add(int index, long n) {
            counters.lazySet(index, counters.get(index) + n);
        }

        void drop(DropReason reason) {
            add(DROPS + reason.ordinal(), 1);
        }

        void drop(DropReason reason, int packets) {
            add(DROPS + reason.ordinal(), packets);
        }

        /** Packets and bytes that went: sent to peers on tx, written into the device on rx. */
        void forwarded(int packets, long bytes) {
            add(PACKETS, packets);
            add(BYTES, bytes);
        }

        void icmpSent() {
            add(ICMP_SENT, 1);
        }

        private long get(int index) {
            return counters.get(index);
        }
    }

    /** Queue {@code q}'s tun-to-udp side. */
    Side tx(int q) {
        return tx[q];
    }

    /** Queue {@code q}'s udp-to-tun side. */
    Side rx(int q) {
        return rx[q];
    }

    private static long sum(Side[] sides, int index) {
        long n = 0;
        for (Side s : sides) {
            n += s.get(index);
        }
        return n;
    }

    long drops(DropReason reason) {
        return sum(tx, Side.DROPS + reason.ordinal()) + sum(rx, Side.DROPS + reason.ordinal());
    }

    /** Packets sent to peers (TUN to UDP). */
    long tunToUdp() {
        return sum(tx, Side.PACKETS);
    }

    /** Packets from peers written into the TUN device. */
    long udpToTun() {
        return sum(rx, Side.PACKETS);
    }

    long icmpErrorsSent() {
        return sum(tx, Side.ICMP_SENT) + sum(rx, Side.ICMP_SENT);
    }

    /** The non-zero drop counters, in reason order. */
    Map<DropReason, Long> dropCounts() {
        Map<DropReason, Long> out = new EnumMap<>(DropReason.class);
        for (DropReason r : DropReason.values()) {
            long n = drops(r);
            if (n != 0) {
                out.put(r, n);
            }
        }
        return out;
    }

    /** The SPI snapshot: totals, every drop counter by its key, and the given peers' counters. */
    NetworkStats snapshot(Map<Ipv4Subnet, PeerCounters> peers) {
        return snapshot(peers, List.of());
    }

    /** As {@link #snapshot(Map)}, with the offloads in use and each queue's packets. */
    NetworkStats snapshot(Map<Ipv4Subnet, PeerCounters> peers, List<String> offloads) {
        Map<String, Long> byKey = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            byKey.put(r.key(), drops(r));
        }
        Map<Ipv4Subnet, NetworkStats.PeerStats> perPeer = new HashMap<>();
        peers.forEach((subnet, c) -> perPeer.put(subnet, c.snapshot()));
        List<NetworkStats.QueueStats> queues = new ArrayList<>();
        for (int q = 0; q < tx.length; q++) {
            queues.add(new NetworkStats.QueueStats(tx[q].get(Side.PACKETS), rx[q].get(Side.PACKETS)));
        }
        return new NetworkStats(sum(tx, Side.PACKETS), sum(tx, Side.BYTES), sum(rx, Side.PACKETS), sum(rx, Side.BYTES),
                byKey, perPeer, offloads, queues);
    }
}
