package io.weft.backend.udp;

import io.weft.linux.LibC;
import java.nio.ByteBuffer;

/**
 * The inbound direction: receives a batch of datagrams from the UDP socket, checks each one
 * ({@link Forwarding#inbound}) and writes the good ones into the TUN device; hostile input is dropped and
 * counted, never thrown. The sender's entry in the route table ({@link RouteTable#peerAt}) gives its
 * counters and, with a {@link PacketTransform}, the state its datagram is opened in place with; the inner
 * packet then starts {@code headroom()} bytes in. Runs on the thread {@link UdpNetwork} names
 * {@code weft-udp-udp-to-tun}; allocation-free per packet. Not thread-safe: owned by that one thread.
 */
final class UdpToTun extends ForwardingLoop {

    UdpToTun(Ends ends, DataPathStats stats, int batchSize) {
        super(ends, stats.rx(), batchSize, ends.socket(), "the UDP socket");
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
        int written = 0;
        long bytes = 0;
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            int peer = table.peerAt(batch.sourceAddress(i));
            int length = batch.length(i);
            if (peer >= 0 && transform != null) {
                length = transform.open(table.state(peer), data, batch.offset(i), length);
                if (length < 0) {
                    continue;
                }
            }
            int decision = Forwarding.inbound(data, batch.offset(i) + headroom, length, peer, table);
            if (decision < 0) {
                stats.drop(Forwarding.reason(decision));
            } else if (libc.write(tun, batch.address(i) + headroom, decision) < 0) {
                stats.drop(DropReason.TUN_WRITE_FAILED);
            } else {
                written++;
                bytes += decision;
                table.counters(peer).received(decision, now);
            }
        }
        stats.forwarded(written, bytes);
    }
}
