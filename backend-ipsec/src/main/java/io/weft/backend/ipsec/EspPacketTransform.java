package io.weft.backend.ipsec;

import io.weft.backend.udp.PacketTransform;
import io.weft.core.model.Lease;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * Plugs the ESP stage ({@link EspTransform}) into the udp data path: each peer's state is its ESP
 * {@link EspTransform.Session}, kept in the data path's route table. Seals in place, with the ESP header and
 * IV written into the headroom in front of the inner packet and the trailer and ICV after it, and opens in
 * place, leaving the inner packet right after the ESP header and IV. The views it hands the ESP stage are
 * made once per direction (the data path passes the same batch buffer on every call from a thread), so the
 * only per-packet allocation is the JCE's, measured in {@code EspPacketTransformTest}. Not thread-safe beyond
 * {@link PacketTransform}'s contract: {@link #seal} on one thread, {@link #open} on one other.
 */
final class EspPacketTransform implements PacketTransform<EspTransform.Session> {
    /** ESP header and explicit IV. */
    static final int HEADROOM = Esp.HEADER_BYTES;
    /** Padding, Pad Length, Next Header and the ICV. */
    static final int TAILROOM = Esp.MAX_PADDING + Esp.TRAILER_BYTES + Esp.ICV_BYTES;
    private final EspTransform esp;
    private final Views sealViews = new Views();
    private final Views openViews = new Views();

    /** Two reusable views of one direction's batch buffer. Owned by that direction's thread. */
    private static final class Views {
        private ByteBuffer buffer;
        private ByteBuffer src;
        private ByteBuffer dst;

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

    @Override
    public int seal(EspTransform.Session peer, ByteBuffer buffer, int offset, int length) {
        sealViews.aim(buffer, offset, length, offset - HEADROOM);
        return esp.seal(peer, sealViews.src, sealViews.dst, System.nanoTime(), System.currentTimeMillis() / 1000);
    }

    @Override
    public int open(EspTransform.Session peer, ByteBuffer buffer, int offset, int length) {
        openViews.aim(buffer, offset, length, offset + HEADROOM);
        return esp.open(peer, openViews.src, openViews.dst, System.nanoTime(), System.currentTimeMillis() / 1000);
    }
}
