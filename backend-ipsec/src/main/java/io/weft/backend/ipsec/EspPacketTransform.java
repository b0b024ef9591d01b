package io.weft.backend.ipsec;

import io.weft.backend.udp.PacketTransform;
import io.weft.core.model.Lease;
import io.weft.linux.ClassicBpf;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Plugs the ESP stage ({@link EspTransform}) into the udp data path: each peer's state is its ESP
 * {@link EspTransform.Session}, kept in the data path's route table. Seals in place, with the ESP header and
 * IV written into the headroom in front of the inner packet and the trailer and ICV after it, and opens in
 * place, leaving the inner packet right after the ESP header and IV. The views it hands the ESP stage are
 * made once per queue and direction (the data path passes the same batch buffer on every call from a thread), so
 * the only per-packet allocation is the JCE's, measured in {@code EspPacketTransformTest}. Several queues' sockets
 * get {@link EspSteering}'s program, so each datagram reaches the queue its SPI names. Thread-safe as
 * {@link PacketTransform} asks: each queue's {@link #seal} and {@link #open} on that queue's threads.
 */
final class EspPacketTransform implements PacketTransform<EspTransform.Session> {
    /** ESP header and explicit IV. */
    static final int HEADROOM = Esp.HEADER_BYTES;
    /** Padding, Pad Length, Next Header and the ICV. */
    static final int TAILROOM = Esp.MAX_PADDING + Esp.TRAILER_BYTES + Esp.ICV_BYTES;
    private final EspTransform esp;
    private final Views[] sealViews;
    private final Views[] openViews;

    /**
     * Two reusable views of one direction's batch buffer, and that thread's wall clock in seconds. Owned by that
     * direction's thread.
     */
    private static final class Views {
        private static final long SECOND = 1_000_000_000L;
        private ByteBuffer buffer;
        private ByteBuffer src;
        private ByteBuffer dst;
        private long baseNanos;
        private long baseMillis = -1;

        /**
         * The wall clock in epoch seconds at {@code nowNanos}: read once a second and carried forward on the
         * monotonic clock in between, so a packet costs no clock read (the data path reads the monotonic one once
         * per batch); a step of the wall clock shows within a second.
         */
        long epochSeconds(long nowNanos) {
            long since = nowNanos - baseNanos;
            if (baseMillis < 0 || since >= SECOND || since < 0) {
                baseMillis = System.currentTimeMillis();
                baseNanos = nowNanos;
                since = 0;
            }
            return (baseMillis + since / 1_000_000) / 1000;
        }

        /** Points {@link #src} at {@code length} bytes from {@code from}, and {@link #dst} at {@code to}. */
        void aim(ByteBuffer of, int from, int length, int to) {
            if (of != buffer) {
                buffer = of;
                src = of.duplicate();
                dst = of.duplicate();
            }
            src.limit(of.capacity()).position(from).limit(from + length);
            dst.limit(of.capacity()).position(to);
        }
    }

    EspPacketTransform(EspTransform esp) {
        this.esp = esp;
        this.sealViews = new Views[esp.queues()];
        this.openViews = new Views[esp.queues()];
        for (int q = 0; q < esp.queues(); q++) {
            sealViews[q] = new Views();
            openViews[q] = new Views();
        }
    }

    /** {@link EspSteering}'s program: each datagram to the socket of the queue its SPI names. */
    @Override
    public ClassicBpf steering(int queues) {
        return EspSteering.program(queues);
    }

    @Override
    public int headroom() {
        return HEADROOM;
    }

    @Override
    public int tailroom() {
        return TAILROOM;
    }

    @Override
    public EspTransform.Session peerState(Lease peer) {
        return esp.session(peer);
    }

    @Override
    public void routed(List<EspTransform.Session> states) {
        esp.routed(states);
    }

    /** A peer whose lease says it takes them; never for a peer without a session. */
    @Override
    public boolean partialChecksums(EspTransform.Session peer) {
        return peer != null && peer.partialChecksums();
    }

    /** Always: the ICV authenticates every inner packet, and this host's lease says so. */
    @Override
    public boolean acceptsPartialChecksums() {
        return true;
    }

    @Override
    public int seal(EspTransform.Session peer, int queue, ByteBuffer buffer, int offset, int length, long nowNanos) {
        Views v = sealViews[queue];
        v.aim(buffer, offset, length, offset - HEADROOM);
        return esp.seal(peer, queue, v.src, v.dst, nowNanos, v.epochSeconds(nowNanos));
    }

    @Override
    public int open(EspTransform.Session peer, int queue, ByteBuffer buffer, int offset, int length, long nowNanos) {
        Views v = openViews[queue];
        v.aim(buffer, offset, length, offset + HEADROOM);
        return esp.open(peer, v.src, v.dst, nowNanos, v.epochSeconds(nowNanos));
    }
}
