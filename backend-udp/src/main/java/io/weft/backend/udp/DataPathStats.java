package io.weft.backend.udp;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.spi.backend.NetworkStats;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The data path's totals: packets and bytes each way, ICMP errors sent, and drops by {@link DropReason}.
 * Each forwarding thread writes only its own {@link Side} ({@link #tx()} for tun-to-udp, {@link #rx()} for
 * udp-to-tun), allocation-free; anyone reads, and a drop count is the sum of both sides. Thread-safe.
 */
final class DataPathStats {
    private final Side tx = new Side();
    private final Side rx = new Side();

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

    /** The tun-to-udp thread's side. */
    Side tx() {
        return tx;
    }

    /** The udp-to-tun thread's side. */
    Side rx() {
        return rx;
    }

    long drops(DropReason reason) {
        return tx.get(Side.DROPS + reason.ordinal()) + rx.get(Side.DROPS + reason.ordinal());
    }

    /** Packets sent to peers (TUN to UDP). */
    long tunToUdp() {
        return tx.get(Side.PACKETS);
    }

    /** Packets from peers written into the TUN device. */
    long udpToTun() {
        return rx.get(Side.PACKETS);
    }

    long icmpErrorsSent() {
        return tx.get(Side.ICMP_SENT) + rx.get(Side.ICMP_SENT);
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
        Map<String, Long> byKey = new LinkedHashMap<>();
        for (DropReason r : DropReason.values()) {
            byKey.put(r.key(), drops(r));
        }
        Map<Ipv4Subnet, NetworkStats.PeerStats> perPeer = new HashMap<>();
        peers.forEach((subnet, c) -> perPeer.put(subnet, c.snapshot()));
        return new NetworkStats(tx.get(Side.PACKETS), tx.get(Side.BYTES), rx.get(Side.PACKETS), rx.get(Side.BYTES),
                byKey, perPeer);
    }
}
