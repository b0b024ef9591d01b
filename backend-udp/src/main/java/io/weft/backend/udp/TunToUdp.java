package io.weft.backend.udp;

import io.weft.linux.LibC;
import io.weft.linux.Syscalls;
import io.weft.linux.UdpSocket;
import java.nio.ByteBuffer;

/**
 * The outbound direction: reads a batch of packets from the TUN device, decides each one's peer
 * ({@link Forwarding#outbound}), writes ICMP errors back into the device, then sends the batch over UDP.
 * With a {@link PacketTransform}, each routed packet is sealed in place with its peer's state from the route
 * table, and the datagram starts {@code headroom()} bytes before it. Runs on the thread {@link UdpNetwork}
 * names {@code weft-udp-tun-to-udp}; allocation-free per packet. Not thread-safe: owned by that one thread.
 */
final class TunToUdp extends ForwardingLoop {
    private final IcmpErrors icmp = new IcmpErrors(System::nanoTime);
    private final int maxRead;
    private final ByteBuffer icmpBuffer = ByteBuffer.allocateDirect(IcmpErrors.MAX_ERROR_LENGTH);
    private final long icmpAddress = Syscalls.address(icmpBuffer);

    TunToUdp(Ends ends, DataPathStats stats, int batchSize) {
        super(ends, stats.tx(), batchSize, ends.tun(), "the TUN device");
        this.maxRead = PacketBatch.MAX_PACKET - (transform == null ? 0 : transform.tailroom());
    }

    /** Reads until the device is empty or the batch is full. */
    @Override
    int receive() {
        int n = 0;
        while (n < batch.capacity()) {
            long r = libc.read(tun, batch.address(n), maxRead);
            if (r < 0) {
                int errno = sys.errno();
                if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                    break;
                }
                throw sys.failure("read from the TUN device", errno, "the data path stops; restart weft");
            }
            batch.length(n++, (int) r);
        }
        return n;
    }

    @Override
    void forward(int n, RouteTable table) {
        ByteBuffer data = batch.data();
        for (int i = 0; i < n; i++) {
            int decision = Forwarding.outbound(data, batch.offset(i), batch.length(i), table);
            if (decision >= 0 && transform != null) {
                int sealed = transform.seal(table.state(decision), data, batch.offset(i), batch.length(i));
                if (sealed < 0) {
                    batch.meta(i, sealed);
                    continue;
                }
                batch.length(i, sealed);
            }
            batch.meta(i, decision);
            if (decision < 0) {
                DropReason reason = Forwarding.reason(decision);
                stats.drop(reason);
                if (reason == DropReason.NET_UNREACHABLE) {
                    sendIcmp(i, IcmpErrors.TYPE_DESTINATION_UNREACHABLE, IcmpErrors.CODE_NET_UNREACHABLE, table);
                } else if (reason == DropReason.TTL_EXCEEDED) {
                    sendIcmp(i, IcmpErrors.TYPE_TIME_EXCEEDED, IcmpErrors.CODE_TTL_EXCEEDED, table);
                }
            }
        }
        int entries = 0;
        for (int i = 0; i < n; i++) {
            int peer = batch.meta(i);
            if (peer >= 0) {
                batch.prepareSend(entries++, i, table.sockaddr(peer), headroom);
            }
        }
        send(entries, table);
    }

    /**
     * Sends the prepared entries with sendmmsg. It returns how many went; an error on the first entry
     * returns -1, so that one is counted as dropped and the rest go in the next call. Only the first call
     * may block (up to {@link UdpSocket#SEND_TIMEOUT_SECONDS} on a full send buffer); retries don't wait, and
     * EAGAIN counts the rest of the batch as dropped. So a batch waits at most one timeout, and a stop ends
     * the retries: the thread notices a stop within a second.
     */
    private void send(int entries, RouteTable table) {
        int done = 0;
        int flags = 0;
        while (done < entries && running()) {
            int r = libc.sendmmsg(socket, batch.vector() + (long) done * PacketBatch.MMSGHDR, entries - done, flags);
            flags = LibC.MSG_DONTWAIT;
            if (r < 0) {
                int errno = sys.errno();
                if (errno == LibC.EBADF) {
                    throw sys.failure("sendmmsg on the UDP socket", errno, "the data path stops; restart weft");
                }
                if (errno == LibC.EAGAIN) {
                    stats.drop(DropReason.SEND_FAILED, entries - done);
                    return;
                }
                stats.drop(DropReason.SEND_FAILED);
                done++;
            } else {
                long bytes = 0;
                for (int e = done; e < done + r; e++) {
                    int slot = batch.entrySlot(e);
                    bytes += batch.length(slot);
                    table.counters(batch.meta(slot)).sent(batch.length(slot));
                }
                stats.forwarded(r, bytes);
                done += r;
            }
        }
    }

    private void sendIcmp(int i, int type, int code, RouteTable table) {
        int length = icmp.build(batch.data(), batch.offset(i), batch.length(i), type, code, table.deviceAddress(),
                icmpBuffer, 0);
        if (length > 0) {
            if (libc.write(tun, icmpAddress, length) < 0) {
                stats.drop(DropReason.TUN_WRITE_FAILED);
            } else {
                stats.icmpSent();
            }
        }
    }
}
