package io.weft.backend.udp;

import io.weft.linux.LibC;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The inbound direction: receives a batch of datagrams from the UDP socket, checks each one
 * ({@link Forwarding#inbound}) and writes the good ones into the TUN device; hostile input is dropped and
 * counted, never thrown. The sender's entry in the route table ({@link Forwarding#sender}: a peer's PublicIP
 * and the backend's port) gives its counters and, with a {@link PacketTransform}, the state its datagram is
 * opened in place with; the inner packet then starts {@code headroom()} bytes in. The inner source check
 * comes after opening, so with ipsec it judges an authenticated packet against the peer that sealed it.
 *
 * <p>With UDP GRO ({@link Offloads#gro()}) one received buffer may hold a train of datagrams of the size its
 * control message gives; each is checked alone. With the TUN vnet header, the checked packets of a batch go
 * through {@link TcpCoalescer}: consecutive segments of one TCP flow become one {@code writev} with a
 * {@code GSO_TCPV4} vnet header (the kernel takes them as one super-packet), anything else is written alone
 * behind a zero vnet header, and groups are written in creation order, so a flow keeps its order. When the
 * transform takes partial checksums ({@link PartialChecksums}), a packet written alone that has one goes in with
 * {@code NEEDS_CSUM} (or, without the vnet header, with its checksum completed here).
 *
 * <p>Runs on the thread {@link UdpNetwork} names {@code weft-udp-udp-to-tun} (per queue); allocation-free per
 * packet. Not thread-safe: owned by that one thread.
 */
final class UdpToTun extends ForwardingLoop {
    /** Inner packets one batch may hold for coalescing: 32 GRO buffers of up to 64 segments. */
    private static final int MAX_PACKETS = 2048;
    private static final int IOVEC = MsgHdr.IOVEC;
    private final int vnet;
    private final TcpCoalescer coalescer;
    private final ByteBuffer vnetHeader = ByteBuffer.allocateDirect(TunDevice.VNET_HDR_SIZE).order(ByteOrder.BIG_ENDIAN);
    private final ByteBuffer iovecs = ByteBuffer.allocateDirect((2 + TcpCoalescer.MAX_SEGMENTS) * IOVEC)
            .order(ByteOrder.nativeOrder());
    private final long iovecsAddress = Syscalls.address(iovecs);
    private final long dataAddress;
    /** Every queue's TUN descriptor: a flow's packets are written into its own queue (see {@link #queueOf}). */
    private final int[] tunQueues;
    /** Whether inner packets may come with partial checksums ({@link PacketTransform#acceptsPartialChecksums}). */
    private final boolean partialIn;
    private int written;
    private long writtenBytes;

    UdpToTun(Ends ends, DataPathStats stats, int batchSize) {
        super(ends, stats.rx(ends.queue()), new PacketBatch(batchSize, ends.offloads().gro(), 0), ends.socket(),
                "the UDP socket");
        this.vnet = offloads.vnetHdr() ? TunDevice.VNET_HDR_SIZE : 0;
        this.coalescer = vnet > 0 ? new TcpCoalescer(MAX_PACKETS) : null;
        this.dataAddress = batch.address(0) - batch.offset(0);
        this.tunQueues = ends.tunQueues().clone();
        this.partialIn = transform != null && transform.acceptsPartialChecksums();
        iovecs.putLong(0, Syscalls.address(vnetHeader));
        iovecs.putLong(8, TunDevice.VNET_HDR_SIZE);
    }

    /** Receives what is queued, up to a batch, in one recvmmsg call. */
    @Override
    int receive() {
        batch.prepareReceive();
        int n = libc.recvmmsg(socket, batch.vector(), batch.capacity(), LibC.MSG_DONTWAIT, 0);
        if (n < 0) {
            int errno = sys.errno();
            if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                return 0;
            }
            if (errno == LibC.EBADF || errno == LibC.ENOMEM) {
                throw sys.failure("recvmmsg on the UDP socket", errno, "the data path stops; restart weft");
            }
            // e.g. a queued ICMP error; the next poll goes on with the next datagram.
            stats.drop(DropReason.RECEIVE_FAILED);
            return 0;
        }
        batch.received(n);
        return n;
    }

    @Override
    void forward(int n, RouteTable table) {
        ByteBuffer data = batch.data();
        long now = System.currentTimeMillis();
        long nowNanos = transform == null ? 0 : System.nanoTime();
        written = 0;
        writtenBytes = 0;
        if (coalescer != null) {
            coalescer.reset();
        }
        for (int i = 0; i < n; i++) {
            int peer = Forwarding.sender(batch.sourceAddress(i), batch.sourcePort(i), table);
            int total = batch.length(i);
            int segment = batch.segmentSize(i);
            for (int start = 0; start < total; start += segment) {
                int off = batch.offset(i) + start;
                int length = Math.min(segment, total - start);
                if (peer < 0) {
                    stats.drop(Forwarding.reason(peer));
                    continue;
                }
                if (transform != null) {
                    length = transform.open(table.state(peer), queue, data, off, length, nowNanos);
                    if (length < 0) {
                        continue;
                    }
                }
                int decision = Forwarding.inbound(data, off + headroom, length, peer, table);
                if (decision < 0) {
                    stats.drop(Forwarding.reason(decision));
                } else if (coalescer == null) {
                    writeOne(off + headroom, decision, peer, table, now);
                } else if (coalescer.add(data, off + headroom, decision, peer) == TcpCoalescer.FULL) {
                    writeGroups(table, now);
                    coalescer.reset();
                    coalescer.add(data, off + headroom, decision, peer);
                }
            }
        }
        if (coalescer != null) {
            writeGroups(table, now);
        }
        stats.forwarded(written, writtenBytes);
    }

    /**
     * The TUN descriptor to write a packet of this flow into: its {@link FlowSteering} queue. The device sends a
     * flow's replies out of the queue its packets were last written into, so the flow's sending work lands on
     * that queue's thread too; with the reuseport program the flow also arrived on that queue's socket.
     */
    private int queueOf(ByteBuffer b, int off) {
        return tunQueues.length == 1 ? tun : tunQueues[FlowSteering.queue(b, off, tunQueues.length)];
    }

    /** Without a vnet header: the packet alone, its checksum completed here when the sender left it partial. */
    private void writeOne(int off, int length, int peer, RouteTable table, long now) {
        if (partialIn) {
            PartialChecksums.finish(batch.data(), off, length);
        }
        if (libc.write(queueOf(batch.data(), off), dataAddress + off, length) < 0) {
            stats.drop(DropReason.TUN_WRITE_FAILED);
        } else {
            written++;
            writtenBytes += length;
            table.counters(peer).received(queue, length, now);
        }
    }

    /** Each group as one writev: its vnet header, its first packet, the other members' payloads. */
    private void writeGroups(RouteTable table, long now) {
        ByteBuffer data = batch.data();
        for (int g = 0; g < coalescer.groups(); g++) {
            int size = coalescer.size(g);
            int first = coalescer.prepareFirst(g, data);
            if (size == 1 && partialIn) {
                PartialChecksums.writeVnetHeader(data, coalescer.packetOffset(g, 0), first, vnetHeader, 0);
            } else {
                coalescer.writeVnetHeader(g, vnetHeader, 0);
            }
            putIovec(1, dataAddress + coalescer.packetOffset(g, 0), first);
            for (int k = 1; k < size; k++) {
                putIovec(1 + k, dataAddress + coalescer.payloadOffset(g, k), coalescer.payloadLength(g, k));
            }
            if (libc.writev(queueOf(data, coalescer.packetOffset(g, 0)), iovecsAddress, 1 + size) < 0) {
                stats.drop(DropReason.TUN_WRITE_FAILED, size);
                continue;
            }
            for (int k = 0; k < size; k++) {
                int length = coalescer.packetLength(g, k);
                written++;
                writtenBytes += length;
                table.counters(coalescer.slot(g, k)).received(queue, length, now);
            }
        }
    }

    private void putIovec(int index, long address, int length) {
        iovecs.putLong(index * IOVEC, address);
        iovecs.putLong(index * IOVEC + 8, length);
    }
}
