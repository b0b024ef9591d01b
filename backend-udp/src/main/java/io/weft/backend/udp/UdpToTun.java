package io.weft.backend.udp;

import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The inbound loop: receives a batch of datagrams from the UDP socket, checks each one
 * ({@link Forwarding#inbound}) and writes the good ones into the TUN device; hostile input is dropped and
 * counted, never thrown. Runs on the thread {@link UdpNetwork} names {@code weft-udp-udp-to-tun};
 * allocation-free per packet. Not thread-safe: owned by that one thread.
 */
final class UdpToTun implements Runnable {
    private final Syscalls sys;
    private final LibC libc;
    private final int tun;
    private final int socket;
    private final Supplier<RouteTable> routes;
    private final DataPathStats stats;
    private final BooleanSupplier running;
    private final PacketBatch batch;
    private final Poller poller;

    UdpToTun(Syscalls sys, int tun, int socket, Supplier<RouteTable> routes, DataPathStats stats,
            BooleanSupplier running, int batchSize) {
        this.sys = sys;
        this.libc = sys.libc();
        this.tun = tun;
        this.socket = socket;
        this.routes = routes;
        this.stats = stats;
        this.running = running;
        this.batch = new PacketBatch(batchSize);
        this.poller = new Poller(sys, socket, "the UDP socket");
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

    /** Receives until the socket is empty or the batch is full. */
    private int receive() {
        int n = 0;
        while (n < batch.capacity()) {
            batch.resetNameLength(n);
            long r = libc.recvfrom(socket, batch.address(n), PacketBatch.MAX_PACKET,
                    LibC.MSG_DONTWAIT | LibC.MSG_TRUNC, batch.nameAddress(n), batch.nameLengthAddress(n));
            if (r < 0) {
                int errno = sys.errno();
                if (errno == LibC.EAGAIN || errno == LibC.EINTR) {
                    break;
                }
                if (errno == LibC.EBADF || errno == LibC.ENOMEM) {
                    throw sys.failure("recvfrom on the UDP socket", errno, "the data path stops; restart weft");
                }
                // e.g. a queued ICMP error; the next poll goes on with the next datagram.
                stats.drop(DropReason.RECEIVE_FAILED);
                break;
            }
            batch.length(n++, (int) Math.min(r, PacketBatch.MAX_PACKET));
        }
        batch.count(n);
        return n;
    }

    private void forward(int n) {
        RouteTable table = routes.get();
        ByteBuffer data = batch.data();
        int written = 0;
        for (int i = 0; i < n; i++) {
            int decision = Forwarding.inbound(data, batch.offset(i), batch.length(i), batch.sourceAddress(i), table);
            if (decision < 0) {
                stats.drop(Forwarding.reason(decision));
            } else if (libc.write(tun, batch.address(i), decision) < 0) {
                stats.drop(DropReason.TUN_WRITE_FAILED);
            } else {
                written++;
            }
        }
        stats.forwardedToTun(written);
        stats.batch();
    }
}
