package io.weft.backend.ipsec;

import io.weft.backend.udp.PacketTransform;
import java.nio.ByteBuffer;

/**
 * Plugs the ESP stage ({@link EspTransform}) into the udp data path: seals in place, with the ESP header
 * and IV written into the headroom in front of the inner packet and the trailer and ICV after it, and opens
 * in place, leaving the inner packet right after the ESP header and IV. The views it hands the ESP stage are
 * made once per direction (the data path passes the same batch buffer on every call from a thread), so the
 * only per-packet allocation is the JCE's, measured in {@code EspAllocationTest}. Not thread-safe beyond
 * {@link PacketTransform}'s contract: {@link #seal} on one thread, {@link #open} on one other.
 */
final class EspPacketTransform implements PacketTransform {
    /** ESP header and explicit IV. */
    static final int HEADROOM = Esp.HEADER_BYTES;
    /** Padding, Pad Length, Next Header and the ICV. */
    static final int TAILROOM = Esp.MAX_PADDING + Esp.TRAILER_BYTES + Esp.ICV_BYTES;
    private final EspTransform esp;
    private ByteBuffer sealBuffer;
    private ByteBuffer sealSrc;
    private ByteBuffer sealDst;
    private ByteBuffer openBuffer;
    private ByteBuffer openSrc;
    private ByteBuffer openDst;

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
    public int seal(int peerAddress, ByteBuffer buffer, int offset, int length) {
        if (buffer != sealBuffer) {
            sealBuffer = buffer;
            sealSrc = buffer.duplicate();
            sealDst = buffer.duplicate();
        }
        sealSrc.limit(buffer.capacity()).position(offset).limit(offset + length);
        sealDst.limit(buffer.capacity()).position(offset - HEADROOM);
        return esp.seal(peerAddress, sealSrc, sealDst, System.nanoTime(), System.currentTimeMillis() / 1000);
    }

    @Override
    public int open(int sourceAddress, ByteBuffer buffer, int offset, int length) {
        if (buffer != openBuffer) {
            openBuffer = buffer;
            openSrc = buffer.duplicate();
            openDst = buffer.duplicate();
        }
        openSrc.limit(buffer.capacity()).position(offset).limit(offset + length);
        openDst.limit(buffer.capacity()).position(offset + HEADROOM);
        return esp.open(sourceAddress, openSrc, openDst, System.nanoTime(), System.currentTimeMillis() / 1000);
    }
}
