package io.weft.backend.udp;

import java.nio.ByteBuffer;

/**
 * Userspace GRO for the receive side: groups the inner IPv4 packets of one received batch so that runs of
 * in-order TCP segments of a flow can be written into the TUN device as one super-packet (first packet's
 * rewritten header and payload, then the other members' payload slices, after a GSO vnet header),
 * instead of one write per segment.
 *
 * <p>The caller offers the batch's packets in arrival order with {@link #add}; packets form groups in
 * creation order, and writing the groups in that order never reorders a flow. A TCP segment with only
 * ACK (and maybe PSH) set, a payload, no IP options, not a fragment, with a valid IP header checksum,
 * joins its flow's open group when its seq continues the group exactly, and ack, window, flags, TCP
 * options, TOS, TTL and DF equal the group's first segment's, its payload is not longer than the first's,
 * and the group stays within {@value #MAX_SEGMENTS} segments and 65,535 bytes. A shorter segment or one
 * with PSH joins and closes the group. Any other packet is a closed group of its own and first closes
 * the open group of its flow (of its address pair when it has no readable ports, e.g. a fragment). At
 * most {@code maxOpen} groups stay open; the oldest is closed to make room. The TCP checksum is not
 * verified here, though the rewritten group leaves it to the kernel: these bytes crossed the underlay under
 * the outer UDP checksum (and with ipsec, under ESP's ICV), as the C reference and wireguard-go also trust,
 * and a second pass over every payload on the receive thread measurably slows it.
 *
 * <p>It is longer than 400 lines on purpose: the per-member and per-group arrays, the joining rules and the
 * header rewrite share the same hot-path state, and splitting them would pass that state between classes
 * on every packet. Capacities are fixed at construction and nothing is allocated per packet. Not thread-safe: owned by
 * the thread that handles the batch.
 */
final class TcpCoalescer {
    static final int MAX_SEGMENTS = 64;
    static final int MAX_TOTAL = 65_535;
    static final int DEFAULT_MAX_OPEN = 8;
    /** {@link #add}'s result when the batch already holds {@code maxPackets} packets. */
    static final int FULL = -1;

    private static final int TCP_ACK = 0x10;
    private static final int TCP_PSH = 0x08;
    private static final int MAX_OPTIONS = 40;

    private final int maxPackets;
    private final int maxOpen;

    // Per member, in add order.
    private final int[] memberSlot;
    private final int[] memberGroup;
    private final int[] memberPacketOffset;
    private final int[] memberPacketLength;
    private final int[] memberPayloadOffset;
    private final int[] memberPayloadLength;
    private int members;

    // Per group, in creation order.
    private final int[] groupSize;
    private final int[] groupTotal;
    private final int[] groupHeaderLength;
    private final boolean[] groupPsh;
    private final int[] groupFirst;
    private int groups;

    // Members sorted by group, built on the first read after an add.
    private final int[] order;
    private final int[] groupStart;
    private final int[] fill;
    private boolean indexed = true;

    // Per open slot: the group and what a joining segment must match.
    private final int[] openGroup;
    private final int[] openSource;
    private final int[] openDestination;
    private final int[] openPorts;
    private final int[] openNextSeq;
    private final int[] openAck;
    private final int[] openWindowAndFlags;
    private final int[] openTosTtlDf;
    private final int[] openFirstPayload;
    private final int[] openTcpHeader;
    private final byte[] openOptions;

    TcpCoalescer(int maxPackets) {
        this(maxPackets, DEFAULT_MAX_OPEN);
    }

    TcpCoalescer(int maxPackets, int maxOpen) {
        if (maxPackets < 1) {
            throw new IllegalArgumentException("maxPackets " + maxPackets + " < 1");
        }
        if (maxOpen < 1) {
            throw new IllegalArgumentException("maxOpen " + maxOpen + " < 1");
        }
        this.maxPackets = maxPackets;
        this.maxOpen = maxOpen;
        memberSlot = new int[maxPackets];
        memberGroup = new int[maxPackets];
        memberPacketOffset = new int[maxPackets];
        memberPacketLength = new int[maxPackets];
        memberPayloadOffset = new int[maxPackets];
        memberPayloadLength = new int[maxPackets];
        groupSize = new int[maxPackets];
        groupTotal = new int[maxPackets];
        groupHeaderLength = new int[maxPackets];
        groupPsh = new boolean[maxPackets];
        groupFirst = new int[maxPackets];
        order = new int[maxPackets];
        groupStart = new int[maxPackets];
        fill = new int[maxPackets];
        openGroup = new int[maxOpen];
        openSource = new int[maxOpen];
        openDestination = new int[maxOpen];
        openPorts = new int[maxOpen];
        openNextSeq = new int[maxOpen];
        openAck = new int[maxOpen];
        openWindowAndFlags = new int[maxOpen];
        openTosTtlDf = new int[maxOpen];
        openFirstPayload = new int[maxOpen];
        openTcpHeader = new int[maxOpen];
        openOptions = new byte[maxOpen * MAX_OPTIONS];
        reset();
    }

    /** Forgets the previous batch. */
    void reset() {
        members = 0;
        groups = 0;
        indexed = true;
        for (int o = 0; o < maxOpen; o++) {
            openGroup[o] = -1;
        }
    }

    /**
     * Offers the next packet of the batch, {@code b[off, off+len)}, that the caller knows as {@code slot}.
     * All packets of a batch live in the same buffer {@code b}, which must be big-endian.
     *
     * @return the group it went into, or {@link #FULL}
     */
    int add(ByteBuffer b, int off, int len, int slot) {
        if (members == maxPackets) {
            return FULL;
        }
        indexed = false;
        int m = members++;
        memberSlot[m] = slot;
        memberPacketOffset[m] = off;
        memberPacketLength[m] = len;
        memberPayloadOffset[m] = off + len;
        memberPayloadLength[m] = 0;
        if (len < Ipv4Packet.MIN_HEADER || Ipv4Packet.version(b, off) != 4) {
            return alone(m);
        }
        int source = Ipv4Packet.source(b, off);
        int destination = Ipv4Packet.destination(b, off);
        int tcpHeader = eligibleTcpHeader(b, off, len);
        if (tcpHeader < 0) {
            if (tcpHeader == -2) { // TCP with readable ports (after any IP options): close its flow
                closeFlow(source, destination, b.getInt(off + Ipv4Packet.headerLength(b, off)), true);
            } else if (tcpHeader == -3) { // a TCP fragment or truncated TCP: close everything between the pair
                closeFlow(source, destination, 0, false);
            }
            return alone(m);
        }
        int th = off + Ipv4Packet.MIN_HEADER;
        int ports = b.getInt(th);
        int total = Ipv4Packet.totalLength(b, off);
        int headerLength = Ipv4Packet.MIN_HEADER + tcpHeader;
        int payload = total - headerLength;
        memberPayloadOffset[m] = off + headerLength;
        memberPayloadLength[m] = payload;
        int seq = b.getInt(th + 4);
        int ack = b.getInt(th + 8);
        int flags = b.get(th + 13) & 0xff;
        boolean psh = (flags & TCP_PSH) != 0;
        int windowAndFlags = (b.getShort(th + 14) & 0xffff) << 16 | (flags & ~TCP_PSH);
        int tosTtlDf = (b.get(off + 1) & 0xff) << 16 | (Ipv4Packet.ttl(b, off) << 8) | (b.get(off + 6) & 0x40);

        int o = findOpen(source, destination, ports);
        if (o >= 0) {
            int g = openGroup[o];
            if (seq == openNextSeq[o] && ack == openAck[o] && windowAndFlags == openWindowAndFlags[o]
                    && tosTtlDf == openTosTtlDf[o] && tcpHeader == openTcpHeader[o]
                    && payload <= openFirstPayload[o] && groupSize[g] < MAX_SEGMENTS
                    && groupTotal[g] + payload <= MAX_TOTAL && sameOptions(b, th, tcpHeader, o)) {
                memberGroup[m] = g;
                groupSize[g]++;
                groupTotal[g] += payload;
                groupPsh[g] |= psh;
                openNextSeq[o] = seq + payload;
                if (psh || payload < openFirstPayload[o]) {
                    close(o);
                }
                return g;
            }
            close(o);
        }
        int g = newGroup(m, total, headerLength, psh);
        if (!psh) {
            o = freeOpenSlot();
            openGroup[o] = g;
            openSource[o] = source;
            openDestination[o] = destination;
            openPorts[o] = ports;
            openNextSeq[o] = seq + payload;
            openAck[o] = ack;
            openWindowAndFlags[o] = windowAndFlags;
            openTosTtlDf[o] = tosTtlDf;
            openFirstPayload[o] = payload;
            openTcpHeader[o] = tcpHeader;
            int options = o * MAX_OPTIONS;
            for (int i = 20; i < tcpHeader; i++) {
                openOptions[options + i - 20] = b.get(th + i);
            }
        }
        return g;
    }

    /** The number of groups, in creation order: the order to write them in. */
    int groups() {
        return groups;
    }

    int size(int g) {
        return groupSize[g];
    }

    /** The caller's slot of the group's k-th member. */
    int slot(int g, int k) {
        return memberSlot[member(g, k)];
    }

    /** Where the k-th member starts in the buffer, as given to {@link #add}. */
    int packetOffset(int g, int k) {
        return memberPacketOffset[member(g, k)];
    }

    /** The k-th member's length as given to {@link #add}. */
    int packetLength(int g, int k) {
        return memberPacketLength[member(g, k)];
    }

    /** Where the k-th member's TCP payload starts in the buffer (the packet's end for a packet that never joins). */
    int payloadOffset(int g, int k) {
        return memberPayloadOffset[member(g, k)];
    }

    /** The k-th member's TCP payload length (0 for a packet that could never join a group). */
    int payloadLength(int g, int k) {
        return memberPayloadLength[member(g, k)];
    }

    /**
     * For a group of two or more: rewrites the first member's IPv4 and TCP headers in {@code b} so that
     * the first packet (headers and its own payload) followed by the other members' payload slices is one
     * TCP super-packet: IPv4 total length and header checksum, PSH when any member had it, and the TCP
     * checksum field holding the folded, not complemented, pseudo-header sum (CHECKSUM_PARTIAL, for
     * {@link #writeVnetHeader}'s NEEDS_CSUM). A group of one is left unchanged.
     *
     * @return the number of bytes of the first packet to write: its headers and its own payload for a
     *     group of two or more, its length as given to {@link #add} for a group of one
     */
    int prepareFirst(int g, ByteBuffer b) {
        int first = groupFirst[g];
        int off = memberPacketOffset[first];
        if (groupSize[g] < 2) {
            return memberPacketLength[first];
        }
        int total = groupTotal[g];
        b.putShort(off + 2, (short) total);
        Checksums.setIpv4HeaderChecksum(b, off);
        int th = off + Ipv4Packet.MIN_HEADER;
        if (groupPsh[g]) {
            b.put(th + 13, (byte) (b.get(th + 13) | TCP_PSH));
        }
        long pseudo = Checksums.pseudoHeader(Ipv4Packet.source(b, off), Ipv4Packet.destination(b, off),
                Checksums.PROTOCOL_TCP, total - Ipv4Packet.MIN_HEADER);
        b.putShort(th + 16, (short) Checksums.fold(pseudo));
        return groupHeaderLength[g] + memberPayloadLength[first];
    }

    /**
     * Writes the {@link VirtioNetHdr#LENGTH}-byte vnet header to put before group {@code g}: TCPV4 GSO
     * with NEEDS_CSUM for a group of two or more, a zero header for a group of one.
     */
    void writeVnetHeader(int g, ByteBuffer out, int off) {
        if (groupSize[g] < 2) {
            VirtioNetHdr.writeNone(out, off);
            return;
        }
        VirtioNetHdr.write(out, off, VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, groupHeaderLength[g],
                memberPayloadLength[groupFirst[g]], Ipv4Packet.MIN_HEADER, 16);
    }

    /** The IPv4 total length of the group's super-packet (of the packet, for a group of one). */
    int totalLength(int g) {
        return groupTotal[g];
    }

    /**
     * The IPv4 + TCP header length of the group's packets (IPv4 is always 20: members carry no IP
     * options), 0 for a packet that could never join a group.
     */
    int headerLength(int g) {
        return groupHeaderLength[g];
    }

    /**
     * The TCP header length of a packet that may join a group, or: -1 not TCP or not plain IPv4 (nothing
     * to close), -2 TCP with readable ports that may not join, -3 TCP whose ports cannot be read.
     */
    private static int eligibleTcpHeader(ByteBuffer b, int off, int len) {
        int headerLength = Ipv4Packet.headerLength(b, off);
        int total = Ipv4Packet.totalLength(b, off);
        if (Ipv4Packet.protocol(b, off) != Checksums.PROTOCOL_TCP || headerLength < Ipv4Packet.MIN_HEADER
                || total > len || total < headerLength) {
            return -1;
        }
        if (Ipv4Packet.fragmentOffset(b, off) != 0 || total < headerLength + 4) {
            return -3;
        }
        if (headerLength != Ipv4Packet.MIN_HEADER || (b.get(off + 6) & 0x20) != 0 || total < headerLength + 20) {
            return -2;
        }
        int th = off + headerLength;
        int tcpHeader = (b.get(th + 12) & 0xf0) >>> 2;
        int flags = b.get(th + 13) & 0xff;
        if (tcpHeader < 20 || headerLength + tcpHeader >= total || (b.get(th + 12) & 0x0f) != 0
                || (flags & ~TCP_PSH) != TCP_ACK) {
            return -2;
        }
        if (Checksums.checksum(b, off, headerLength) != 0) {
            return -2;
        }
        return tcpHeader;
    }

    private int alone(int m) {
        int total = memberPacketLength[m];
        return newGroup(m, total, 0, false);
    }

    private int newGroup(int m, int total, int headerLength, boolean psh) {
        int g = groups++;
        memberGroup[m] = g;
        groupSize[g] = 1;
        groupTotal[g] = total;
        groupHeaderLength[g] = headerLength;
        groupPsh[g] = psh;
        groupFirst[g] = m;
        return g;
    }

    private int findOpen(int source, int destination, int ports) {
        for (int o = 0; o < maxOpen; o++) {
            if (openGroup[o] >= 0 && openPorts[o] == ports && openSource[o] == source
                    && openDestination[o] == destination) {
                return o;
            }
        }
        return -1;
    }

    private void closeFlow(int source, int destination, int ports, boolean matchPorts) {
        for (int o = 0; o < maxOpen; o++) {
            if (openGroup[o] >= 0 && openSource[o] == source && openDestination[o] == destination
                    && (!matchPorts || openPorts[o] == ports)) {
                close(o);
            }
        }
    }

    /** A free open slot, closing the oldest open group when there is none. */
    private int freeOpenSlot() {
        int oldest = 0;
        for (int o = 0; o < maxOpen; o++) {
            if (openGroup[o] < 0) {
                return o;
            }
            if (openGroup[o] < openGroup[oldest]) {
                oldest = o;
            }
        }
        close(oldest);
        return oldest;
    }

    private void close(int o) {
        openGroup[o] = -1;
    }

    private boolean sameOptions(ByteBuffer b, int th, int tcpHeader, int o) {
        int options = o * MAX_OPTIONS;
        for (int i = 20; i < tcpHeader; i++) {
            if (openOptions[options + i - 20] != b.get(th + i)) {
                return false;
            }
        }
        return true;
    }

    private int member(int g, int k) {
        if (!indexed) {
            index();
        }
        if (k < 0 || k >= groupSize[g]) {
            throw new IndexOutOfBoundsException("member " + k + " of a group of " + groupSize[g]);
        }
        return order[groupStart[g] + k];
    }

    /** Sorts members by group (a counting sort, stable, so members keep arrival order). */
    private void index() {
        int start = 0;
        for (int g = 0; g < groups; g++) {
            groupStart[g] = start;
            fill[g] = start;
            start += groupSize[g];
        }
        for (int m = 0; m < members; m++) {
            order[fill[memberGroup[m]]++] = m;
        }
        indexed = true;
    }
}
