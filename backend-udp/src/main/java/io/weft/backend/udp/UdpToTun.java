package io.weft.backend.udp;

import io.weft.linux.LibC;
import io.weft.linux.Poller;
import io.weft.linux.Syscalls;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The inbound loop: receives a batch of datagrams from the UDP socket, checks each one
 * ({@link Forwarding#inbound}) and writes the good ones into the TUN device; hostile input is dropped and
 * counted, never thrown. With a {@link PacketTransform}, a known peer's datagram is opened in place first
 * and the inner packet starts {@code headroom()} bytes in. Runs on the thread {@link UdpNetwork} names {@code weft-udp-udp-to-tun};
 * allocation-free per packet. Not thread-safe: owned by that one thread.
 */
final class UdpToTun implements Runnable {
    private final Syscalls sys;
    private final LibC libc;
    private final int tun;
    private final int socket;
    private final Supplier<RouteTable> routes;
    private final DataPathStats.Side stats;
    private final BooleanSupplier running;
    private final PacketBatch batch;
    private final Poller poller;
    private final PacketTransform transform;
    private final int strip;

    UdpToTun(Syscalls sys, int tun, int socket, Supplier<RouteTable> routes, DataPathStats stats,
            BooleanSupplier running, int batchSize, PacketTransform transform) {
        this.sys = sys;
        this.libc = sys.libc();
        this.tun = tun;
        this.socket = socket;
        this.routes = routes;
        this.stats = stats.rx();
        this.running = running;
        this.batch = new PacketBatch(batchSize);
        this.poller = new Poller(sys, socket, "the UDP socket");
        this.transform = transform;
        this.strip = transform == null ? 0 : transform.headroom();
    }

    @Override
    public void run() {
        while (running.getAsBoolean()) {
            if (poller.awaitReadable(TunToUdp.POLL_MILLIS)) {
                int n = receive();
                if (n > 0) {
                    forward(n);
                }
            }
        }
    }

    /** Receives what is queued, up to a batch, in one recvmmsg call. */
    private int receive() {
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

    private void forward(int n) {
        RouteTable table = routes.get();
        ByteBuffer data = batch.data();
        int written = 0;
        long bytes = 0;
        long now = System.currentTimeMillis();
        for (int i = 0; i < n; i++) {
            int source = batch.sourceAddress(i);
            int peer = table.peerAt(source);
            int length = batch.length(i);
            if (peer >= 0 && transform != null) {
                length = transform.open(source, data, batch.offset(i), length);
                if (length < 0) {
                    continue;
                }
            }
            int decision = Forwarding.inbound(data, batch.offset(i) + strip, length, peer, table);
            if (decision < 0) {
                stats.drop(Forwarding.reason(decision));
            } else if (libc.write(tun, batch.address(i) + strip, decision) < 0) {
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
