package io.weft.backend.udp;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.LeaseAttrs;
import io.weft.linux.LibC;
import io.weft.linux.Syscalls;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The data path's one peer table: an immutable snapshot of this host's subnet and device address, the overlay
 * Network, and each peer with its PublicIP, its counters and its {@link PacketTransform} state.
 * {@link UdpNetwork} builds the next one from this one on every change ({@link RouteUpdates}) and publishes it
 * through a volatile field, so the forwarding threads read it without locks; a peer's entry index leads to
 * everything the data path keeps for it.
 *
 * <p>{@link #lookup(int)} is a longest-prefix match: one open-addressing hash table per prefix length,
 * longest first (all leases normally share one length, so it is one probe). {@link #peerAt(int)} is a
 * hash map from PublicIP to peer. {@link #mayCarry} is the inbound source check built on both. Each peer's
 * {@code sockaddr_in} sits in direct memory for {@code sendmmsg}. Lookups allocate nothing.
 */
final class RouteTable {

    /**
     * One peer: its subnet, the lease attributes it published (to tell a real change from the same lease
     * again), the underlay address that carries it, its counters (which outlive tables) and its transform
     * state (null without a transform, or when the transform cannot serve it).
     */
    record Peer(Ipv4Subnet subnet, LeaseAttrs attrs, int publicIp, PeerCounters counters, Object state) {
        Peer {
            Objects.requireNonNull(subnet, "subnet is null");
            Objects.requireNonNull(attrs, "attrs is null");
            Objects.requireNonNull(counters, "counters is null");
        }

        Peer(Ipv4Subnet subnet, LeaseAttrs attrs, PeerCounters counters, Object state) {
            this(subnet, attrs, Ipv4.parse("PublicIP", attrs.publicIp()), counters, state);
        }

        @Override
        public String toString() {
            return subnet + "→" + Ipv4.format(publicIp);
        }
    }

    private static final int SOCKADDR = 16;
    private final Ipv4Subnet network;
    private final Ipv4Subnet own;
    private final int port;
    private final List<Peer> peers;
    private final Peer[] entries;
    private final int[] lengths;
    private final int[][] keys;
    private final int[][] values;
    private final int[] peerIps;
    private final int[] peerIpIndex;
    /** Each entry's PublicIP, by entry index. */
    private final int[] publicIps;
    private final ByteBuffer sockaddrs;
    private final long sockaddrsAddress;

    /**
     * @param network the whole overlay Network
     * @param own     this host's subnet (its base is the device address)
     * @param peers   the peers; on duplicate subnets the last wins
     * @param port    the peers' UDP port
     */
    RouteTable(Ipv4Subnet network, Ipv4Subnet own, List<Peer> peers, int port) {
        this.network = Objects.requireNonNull(network, "network is null");
        this.own = Objects.requireNonNull(own, "own is null");
        this.port = port;
        this.peers = List.copyOf(peers);
        this.entries = this.peers.toArray(new Peer[0]);
        TreeSet<Integer> lengthSet = new TreeSet<>(Comparator.reverseOrder());
        for (Peer p : this.peers) {
            lengthSet.add(p.subnet().prefixLength());
        }
        lengths = lengthSet.stream().mapToInt(Integer::intValue).toArray();
        keys = new int[lengths.length][];
        values = new int[lengths.length][];
        for (int l = 0; l < lengths.length; l++) {
            List<Integer> members = new ArrayList<>();
            for (int i = 0; i < this.peers.size(); i++) {
                if (this.peers.get(i).subnet().prefixLength() == lengths[l]) {
                    members.add(i);
                }
            }
            int size = tableSize(members.size());
            keys[l] = new int[size];
            values[l] = new int[size];
            for (int i : members) {
                int key = this.peers.get(i).subnet().base();
                int slot = probe(keys[l], values[l], key);
                keys[l][slot] = key;
                values[l][slot] = i + 1;
            }
        }
        peerIps = new int[tableSize(this.peers.size())];
        peerIpIndex = new int[peerIps.length];
        publicIps = new int[this.peers.size()];
        for (int i = 0; i < this.peers.size(); i++) {
            int ip = this.peers.get(i).publicIp();
            publicIps[i] = ip;
            int slot = probe(peerIps, peerIpIndex, ip);
            if (peerIpIndex[slot] == 0) {
                peerIps[slot] = ip;
                peerIpIndex[slot] = i + 1;
            }
        }
        sockaddrs = ByteBuffer.allocateDirect(Math.max(1, this.peers.size()) * SOCKADDR).order(ByteOrder.BIG_ENDIAN);
        for (int i = 0; i < this.peers.size(); i++) {
            int at = i * SOCKADDR;
            sockaddrs.order(ByteOrder.nativeOrder()).putShort(at, (short) LibC.AF_INET);
            sockaddrs.order(ByteOrder.BIG_ENDIAN).putShort(at + 2, (short) port).putInt(at + 4,
                    this.peers.get(i).publicIp());
        }
        sockaddrsAddress = Syscalls.address(sockaddrs);
    }

    /** A table with no peers. */
    static RouteTable empty(Ipv4Subnet network, Ipv4Subnet own, int port) {
        return new RouteTable(network, own, List.of(), port);
    }

    private static int tableSize(int entries) {
        return Integer.highestOneBit(Math.max(2, entries) * 4 - 1);
    }

    private static int hash(int key) {
        int h = key * 0x9E3779B1;
        return h ^ (h >>> 16);
    }

    private static int probe(int[] keys, int[] values, int key) {
        int mask = keys.length - 1;
        int slot = hash(key) & mask;
        while (values[slot] != 0 && keys[slot] != key) {
            slot = (slot + 1) & mask;
        }
        return slot;
    }

    /** The index of the peer with the longest prefix holding {@code destination}, or -1. */
    int lookup(int destination) {
        for (int l = 0; l < lengths.length; l++) {
            int key = destination & Ipv4Subnet.mask(lengths[l]);
            int v = values[l][probe(keys[l], values[l], key)];
            if (v != 0) {
                return v - 1;
            }
        }
        return -1;
    }

    /** The index of the (first) peer whose PublicIP is {@code address}, or -1 for a stranger. */
    int peerAt(int address) {
        return peerIpIndex[probe(peerIps, peerIpIndex, address)] - 1;
    }

    /**
     * Whether peer {@code index} may send packets from {@code source}, as WireGuard's AllowedIPs decide: the
     * source lies in the Network, outside this host's subnet, and its longest-prefix route leads to a peer with
     * the sender's PublicIP (a host listed under two subnets while its old lease lingers may use both). A lease
     * that overlaps this host's subnet or reaches outside the Network (a store writer can publish one) so never
     * makes a local address acceptable, which matters because the device has {@code accept_local} on.
     */
    boolean mayCarry(int index, int source) {
        if (!network.contains(source) || own.contains(source)) {
            return false;
        }
        int owner = lookup(source);
        return owner >= 0 && publicIps[owner] == publicIps[index];
    }

    /** Peer {@code index}'s counters. */
    PeerCounters counters(int index) {
        return entries[index].counters();
    }

    /** Peer {@code index}'s {@link PacketTransform} state, or null. */
    Object state(int index) {
        return entries[index].state();
    }

    /** The native address of peer {@code index}'s {@code sockaddr_in}. */
    long sockaddr(int index) {
        return sockaddrsAddress + (long) index * SOCKADDR;
    }

    List<Peer> peers() {
        return peers;
    }

    Ipv4Subnet network() {
        return network;
    }

    Ipv4Subnet own() {
        return own;
    }

    /** The peers' UDP port. */
    int port() {
        return port;
    }

    /** The device address: this host's subnet's network address. */
    int deviceAddress() {
        return own.base();
    }
}
