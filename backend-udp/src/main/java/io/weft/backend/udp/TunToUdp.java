package io.weft.backend.udp;

import io.weft.linux.LibC;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import io.weft.linux.UdpSocket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The outbound direction: reads a batch from the TUN device, decides each packet's peer
 * ({@link Forwarding#outbound}), writes ICMP errors back into the device, then sends the batch over UDP in
 * one {@code sendmmsg}. With a {@link PacketTransform}, each routed packet is sealed in place with its peer's
 * state from the route table, and the datagram starts {@code headroom()} bytes before it.
 *
 * <p>With the TUN vnet header ({@link Offloads#vnetHdr()}), a read may be a TCP or UDP super-packet of up to
 * 64 KB: {@link Segmenter} cuts it into MTU-sized packets whose headers go to a header area while the
 * payload stays in the read buffer, and with UDP GSO the segments for one peer go out as one
 * {@code sendmmsg} entry (header and payload iovecs, a {@code UDP_SEGMENT} control message) that the kernel
 * carries as one buffer; without it, one entry per segment. A packet that only needs its checksum finished
 * gets it. On the wire every datagram is still one inner IPv4 packet of at most the MTU. With a transform
 * whose peer takes partial checksums ({@link PacketTransform#partialChecksums}), the segments leave theirs
 * partial and the payload is never summed here.
 *
 * <p>Runs on the thread {@link UdpNetwork} names {@code weft-udp-tun-to-udp} (per queue); allocation-free per
 * packet. Not thread-safe: owned by that one thread.
 */
final class TunToUdp extends ForwardingLoop {
    /** The most segments one super-packet may make; more is dropped as malformed (MSS below ~128 bytes). */
    static final int MAX_SEGMENTS = 512;
    /** Header area per batch, in segments; the batch is sent early when less than one packet's worth is left. */
    private static final int HEADER_SEGMENTS = 4 * MAX_SEGMENTS;
    private final IcmpErrors icmp = new IcmpErrors(System::nanoTime);
    private final int maxRead;
    private final int vnet;
    private final ByteBuffer icmpBuffer = ByteBuffer.allocateDirect(TunDevice.VNET_HDR_SIZE + IcmpErrors.MAX_ERROR_LENGTH);
    private final long icmpAddress = Syscalls.address(icmpBuffer);
    private final long dataAddress;
    private final SendVector send;
    private final ByteBuffer headers;
    private final long headersAddress;
    private final int[] headerLengths = new int[MAX_SEGMENTS];
    private final int[] payloadOffsets = new int[MAX_SEGMENTS];
    private final int[] payloadLengths = new int[MAX_SEGMENTS];
    /** With a transform: sealed segments, each in its own scratch slot of the batch buffer. */
    private final int scratchSlot;
    private final int scratchSlots;
    private final int[] sealedLengths = new int[MAX_SEGMENTS];
    private final long[] sealedAddresses = new long[MAX_SEGMENTS];
    private int headersUsed;
    private int scratchUsed;
    /** {@link System#nanoTime()} when this batch's forwarding began: the transform's clock for the whole batch. */
    private long batchNanos;

    TunToUdp(Ends ends, DataPathStats stats, int batchSize) {
        super(ends, stats.tx(ends.queue()), new PacketBatch(batchSize, false, scratchBytes(ends)), ends.tun(),
                "the TUN device");
        this.scratchSlot = scratchSlot(ends.mtu());
        this.scratchSlots = scratchBytes(ends) / scratchSlot;
        this.vnet = offloads.vnetHdr() ? TunDevice.VNET_HDR_SIZE : 0;
        this.maxRead = PacketBatch.MAX_PACKET - (transform == null ? 0 : transform.tailroom()) + vnet;
        this.dataAddress = batch.address(0) - batch.offset(0);
        boolean segments = offloads.vnetHdr();
        this.send = new SendVector(batchSize + (segments ? HEADER_SEGMENTS : 0),
                batchSize + (segments ? 2 * HEADER_SEGMENTS : 0));
        this.headers = ByteBuffer.allocateDirect(segments ? HEADER_SEGMENTS * Segmenter.HEADER_STRIDE : 8)
                .order(ByteOrder.BIG_ENDIAN);
        this.headersAddress = Syscalls.address(headers);
    }

    /** A sealed segment's room: the transform's headroom and tailroom around at most one MTU. */
    private static int scratchSlot(int mtu) {
        return 2 * PacketTransform.MAX_HEADROOM + mtu;
    }

    /** Scratch for one super-packet's sealed segments, when there is a transform and the device segments. */
    private static int scratchBytes(Ends ends) {
        return ends.transform() != null && ends.offloads().vnetHdr() ? MAX_SEGMENTS * scratchSlot(ends.mtu()) : 0;
    }

    /** Reads until the device is empty or the batch is full; with a vnet header, it lands just before the packet. */
    @Override
    int receive() {
        int n = 0;
        while (n < batch.capacity()) {
            long r = libc.read(tun, batch.address(n) - vnet, maxRead);
            if (r < 0) {
                int errno = sys.errno();
                if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                    break;
                }
                throw sys.failure("read from the TUN device", errno, "the data path stops; restart weft");
            }
            batch.length(n++, (int) r - vnet);
        }
        return n;
    }

    @Override
    void forward(int n, RouteTable table) {
        ByteBuffer data = batch.data();
        if (transform != null) {
            batchNanos = System.nanoTime();
        }
        send.clear();
        headersUsed = 0;
        for (int i = 0; i < n; i++) {
            int off = batch.offset(i);
            int length = batch.length(i);
            int gsoType = VirtioNetHdr.GSO_NONE;
            if (vnet > 0) {
                int at = off - vnet;
                gsoType = VirtioNetHdr.gsoType(data, at) & ~VirtioNetHdr.GSO_ECN;
                if (gsoType == VirtioNetHdr.GSO_NONE && (VirtioNetHdr.flags(data, at) & VirtioNetHdr.FLAG_NEEDS_CSUM) != 0
                        && Segmenter.finishChecksum(data, off, length, VirtioNetHdr.csumStart(data, at),
                                VirtioNetHdr.csumOffset(data, at)) < 0) {
                    stats.drop(DropReason.BAD_OFFLOAD);
                    continue;
                }
            }
            int peer = Forwarding.outbound(data, off, length, table);
            if (peer < 0) {
                dropOrAnswer(i, peer, table);
            } else if (gsoType == VirtioNetHdr.GSO_NONE) {
                single(i, peer, table);
            } else {
                segments(i, gsoType, VirtioNetHdr.gsoSize(data, off - vnet), peer, table);
            }
        }
        sendAll(table);
    }

    private void dropOrAnswer(int i, int decision, RouteTable table) {
        DropReason reason = Forwarding.reason(decision);
        stats.drop(reason);
        if (reason == DropReason.NET_UNREACHABLE) {
            sendIcmp(i, IcmpErrors.TYPE_DESTINATION_UNREACHABLE, IcmpErrors.CODE_NET_UNREACHABLE, table);
        } else if (reason == DropReason.TTL_EXCEEDED) {
            sendIcmp(i, IcmpErrors.TYPE_TIME_EXCEEDED, IcmpErrors.CODE_TTL_EXCEEDED, table);
        }
    }

    /** One packet, one datagram (sealed first with a transform). */
    private void single(int i, int peer, RouteTable table) {
        int length = batch.length(i);
        if (transform != null) {
            length = transform.seal(table.state(peer), queue, batch.data(), batch.offset(i), length, batchNanos);
            if (length < 0) {
                return;
            }
        }
        if (!send.fits(1)) {
            sendAll(table);
        }
        send.begin(table.sockaddr(peer), peer);
        send.add(batch.address(i) - headroom, length);
        send.count(1, length);
        send.end(0);
    }

    /** A super-packet: its segments as header + payload iovecs, as few GSO entries as the kernel allows. */
    private void segments(int i, int gsoType, int gsoSize, int peer, RouteTable table) {
        if (HEADER_SEGMENTS - headersUsed < MAX_SEGMENTS) {
            sendAll(table);
        }
        ByteBuffer data = batch.data();
        // A send in between (a full vector) empties the vector, but these headers stay put until the next packet.
        int base = headersUsed;
        boolean partial = transform != null && transform.partialChecksums(table.state(peer));
        int count = Segmenter.split(data, batch.offset(i), batch.length(i), gsoType, gsoSize, headers,
                base * Segmenter.HEADER_STRIDE, Segmenter.HEADER_STRIDE, headerLengths, payloadOffsets,
                payloadLengths, partial);
        if (count <= 0) {
            stats.drop(DropReason.BAD_OFFLOAD);
            return;
        }
        if (transform != null) {
            sealed(base, count, peer, table);
            headersUsed = base + count;
            return;
        }
        int segmentBytes = headerLengths[0] + payloadLengths[0];
        int perSend = offloads.gso() && count > 1 ? Segmenter.segmentsPerSend(segmentBytes) : 1;
        for (int first = 0; first < count; first += perSend) {
            int last = Math.min(count, first + perSend);
            if (!send.fits(2 * (last - first))) {
                sendAll(table);
            }
            send.begin(table.sockaddr(peer), peer);
            long bytes = 0;
            for (int s = first; s < last; s++) {
                send.add(headersAddress + (long) (base + s) * Segmenter.HEADER_STRIDE, headerLengths[s]);
                send.add(dataAddress + payloadOffsets[s], payloadLengths[s]);
                bytes += headerLengths[s] + payloadLengths[s];
            }
            send.count(last - first, bytes);
            send.end(last - first > 1 ? segmentBytes : 0);
        }
        headersUsed = base + count;
    }

    /**
     * With a transform: each segment is put together in a scratch slot (headers, then its payload), sealed in
     * place, and the sealed datagrams go out as GSO trains of equal sizes (the last of a train may be shorter).
     */
    private void sealed(int base, int count, int peer, RouteTable table) {
        if (scratchSlots - scratchUsed < count) {
            sendAll(table);
        }
        ByteBuffer data = batch.data();
        Object state = table.state(peer);
        // A send in between (a full vector) resets the scratch, but these sealed segments stay put until the
        // next packet: the end of this one is where the next one starts.
        int firstSlot = scratchUsed;
        int slots = 0;
        int sealedCount = 0;
        for (int s = 0; s < count; s++) {
            int at = batch.scratchOffset() + (firstSlot + slots) * scratchSlot + PacketTransform.MAX_HEADROOM;
            int header = headerLengths[s];
            data.put(at, headers, (base + s) * Segmenter.HEADER_STRIDE, header);
            data.put(at + header, data, payloadOffsets[s], payloadLengths[s]);
            int length = transform.seal(state, queue, data, at, header + payloadLengths[s], batchNanos);
            if (length < 0) {
                continue;
            }
            slots++;
            sealedLengths[sealedCount] = length;
            sealedAddresses[sealedCount++] = dataAddress + at - headroom;
        }
        int s = 0;
        while (s < sealedCount) {
            int size = sealedLengths[s];
            int limit = offloads.gso() ? Segmenter.segmentsPerSend(size) : 1;
            if (!send.fits(limit)) {
                sendAll(table);
            }
            send.begin(table.sockaddr(peer), peer);
            int in = 0;
            long bytes = 0;
            // A train: datagrams of one size, and at most one shorter one to end it.
            while (s < sealedCount && in < limit && sealedLengths[s] <= size) {
                send.add(sealedAddresses[s], sealedLengths[s]);
                bytes += sealedLengths[s];
                in++;
                s++;
                if (sealedLengths[s - 1] < size) {
                    break;
                }
            }
            send.count(in, bytes);
            send.end(in > 1 ? size : 0);
        }
        scratchUsed = firstSlot + slots;
    }

    /**
     * Sends the prepared entries with sendmmsg and empties the vector. It returns how many went; an error on
     * the first entry returns -1, so that one is counted as dropped and the rest go in the next call. Only the
     * first call may block (up to {@link UdpSocket#SEND_TIMEOUT_SECONDS} on a full send buffer); retries don't
     * wait, and EAGAIN counts the rest of the batch as dropped. So a batch waits at most one timeout, and a
     * stop ends the retries: the thread notices a stop within a second.
     */
    private void sendAll(RouteTable table) {
        int entries = send.entries();
        int done = 0;
        int flags = 0;
        while (done < entries && running()) {
            int r = libc.sendmmsg(socket, send.vector(done), entries - done, flags);
            flags = LibC.MSG_DONTWAIT;
            if (r < 0) {
                int errno = sys.errno();
                if (errno == LibC.EBADF) {
                    throw sys.failure("sendmmsg on the UDP socket", errno, "the data path stops; restart weft");
                }
                if (errno == LibC.EAGAIN) {
                    for (int e = done; e < entries; e++) {
                        stats.drop(DropReason.SEND_FAILED, send.packets(e));
                    }
                    break;
                }
                stats.drop(DropReason.SEND_FAILED, send.packets(done));
                done++;
            } else {
                int packets = 0;
                long bytes = 0;
                for (int e = done; e < done + r; e++) {
                    packets += send.packets(e);
                    bytes += send.bytes(e);
                    table.counters(send.peer(e)).sent(queue, send.packets(e), send.bytes(e));
                }
                stats.forwarded(packets, bytes);
                done += r;
            }
        }
        send.clear();
        headersUsed = 0;
        scratchUsed = 0;
    }

    private void sendIcmp(int i, int type, int code, RouteTable table) {
        int length = icmp.build(batch.data(), batch.offset(i), batch.length(i), type, code, table.deviceAddress(),
                icmpBuffer, vnet);
        if (length > 0) {
            // With a vnet header, icmpBuffer's first bytes stay zero: no offload asked for.
            if (libc.write(tun, icmpAddress, length + vnet) < 0) {
                stats.drop(DropReason.TUN_WRITE_FAILED);
            } else {
                stats.icmpSent();
            }
        }
    }
}
