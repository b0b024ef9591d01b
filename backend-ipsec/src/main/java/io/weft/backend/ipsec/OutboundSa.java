package io.weft.backend.ipsec;

import java.nio.ByteBuffer;

/**
 * One outbound SA: encrypts inner IPv4 packets into ESP payloads with its key, salt and 64-bit sequence
 * number. The explicit IV is the sequence number XOR a random per-SA mask: unique per key (XOR with a
 * constant is a bijection) even if a restarted sender ever re-derived the same key within the same second,
 * and it shows nothing about the counter. Not thread-safe: owned by the outbound forwarding thread.
 */
final class OutboundSa {
    private final int spi;
    private final long createdNanos;
    private final Aead aead;
    private final byte[] nonce = new byte[Esp.NONCE_BYTES];
    private final byte[] aad = new byte[Esp.AAD_BYTES];
    private final long ivMask;
    private long seq;

    OutboundSa(SaKey key, AeadKind kind, long ivMask, long createdNanos) {
        this.spi = key.spi();
        this.aead = kind.create(key.key());
        System.arraycopy(key.salt(), 0, nonce, 0, Esp.SALT_BYTES);
        this.ivMask = ivMask;
        this.createdNanos = createdNanos;
    }

    int spi() {
        return spi;
    }

    long createdNanos() {
        return createdNanos;
    }

    /** The last sequence number used, 0 before the first packet. */
    long seq() {
        return seq;
    }

    /** For tests of rotation near the sequence limit. */
    void skipTo(long lastUsed) {
        seq = lastUsed;
    }

    /**
     * Encrypts the inner packet in {@code src} (position to limit) into an ESP payload at {@code dst}'s
     * position, and returns its length. The ESP trailer (padding, Pad Length, Next Header) is written into
     * {@code src} right after the packet, so {@code src} needs {@value Esp#MAX_PADDING} + 2 bytes of room
     * past its limit, as every forwarding buffer has. Both buffers' positions advance.
     */
    int seal(ByteBuffer src, ByteBuffer dst) {
        if (seq == -1L) {
            throw new IllegalStateException("ESP sequence number space of SPI " + Esp.spiHex(spi) + " exhausted");
        }
        long s = ++seq;
        int length = src.remaining();
        int pad = Esp.padding(length);
        int end = src.limit();
        src.limit(end + pad + Esp.TRAILER_BYTES);
        for (int i = 1; i <= pad; i++) {
            src.put(end + i - 1, (byte) i);
        }
        src.put(end + pad, (byte) pad);
        src.put(end + pad + 1, (byte) Esp.NEXT_HEADER_IPV4);
        long iv = s ^ ivMask;
        putInt(aad, 0, spi);
        putInt(aad, 4, (int) (s >>> 32));
        putInt(aad, 8, (int) s);
        putLong(nonce, Esp.SALT_BYTES, iv);
        int start = dst.position();
        dst.putInt(spi).putInt((int) s).putLong(iv);
        aead.seal(nonce, aad, src, dst);
        return dst.position() - start;
    }

    static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    static void putLong(byte[] b, int at, long v) {
        putInt(b, at, (int) (v >>> 32));
        putInt(b, at + 4, (int) v);
    }
}
