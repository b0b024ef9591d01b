package io.weft.backend.ipsec;

import java.nio.ByteBuffer;

/**
 * One inbound SA: checks, authenticates and decrypts ESP payloads, with its own anti-replay window. The
 * window is consulted before decryption (cheap rejection of replays) and updated only after the ICV
 * verified. Not thread-safe: owned by the inbound forwarding thread.
 */
final class InboundSa {
    /** The smallest ESP payload: header and IV, an empty packet's 2-byte trailer, and the ICV. */
    static final int MIN_LENGTH = Esp.HEADER_BYTES + Esp.TRAILER_BYTES + Esp.ICV_BYTES;
    private final int spi;
    private final long createdNanos;
    private final Aead aead;
    private final ReplayWindow window = new ReplayWindow();
    private final byte[] nonce = new byte[Esp.NONCE_BYTES];
    private final byte[] aad = new byte[Esp.AAD_BYTES];
    private long accepted;

    InboundSa(SaKey key, AeadKind kind, long createdNanos) {
        this.spi = key.spi();
        this.aead = kind.create(key.key());
        System.arraycopy(key.salt(), 0, nonce, 0, Esp.SALT_BYTES);
        this.createdNanos = createdNanos;
    }

    int spi() {
        return spi;
    }

    long createdNanos() {
        return createdNanos;
    }

    /** Packets this SA accepted. */
    long accepted() {
        return accepted;
    }

    ReplayWindow window() {
        return window;
    }

    /** Structural checks that need no SA: length and 4-byte alignment of the encrypted part. */
    static boolean wellFormed(ByteBuffer src) {
        int length = src.remaining();
        return length >= MIN_LENGTH && ((length - Esp.HEADER_BYTES - Esp.ICV_BYTES) & 3) == 0;
    }

    /**
     * Opens the ESP payload in {@code src} (position to limit; its SPI must be this SA's) into {@code dst}
     * at its position. Returns the inner packet's length, which starts at {@code dst}'s old position, or an
     * {@link EspDrop#code()}. {@code dst} needs room for the payload plus trailer.
     */
    int open(ByteBuffer src, ByteBuffer dst) {
        if (!wellFormed(src)) {
            return EspDrop.MALFORMED.code();
        }
        int at = src.position();
        int low = src.getInt(at + Esp.SPI_BYTES);
        long seq = window.infer(low);
        if (seq < 0) {
            return EspDrop.TOO_OLD.code();
        }
        int verdict = window.check(seq);
        if (verdict == ReplayWindow.DUPLICATE) {
            return EspDrop.REPLAY.code();
        }
        if (verdict == ReplayWindow.TOO_OLD) {
            return EspDrop.TOO_OLD.code();
        }
        for (int i = 0; i < Esp.IV_BYTES; i++) {
            nonce[Esp.SALT_BYTES + i] = src.get(at + Esp.SPI_BYTES + Esp.SEQ_BYTES + i);
        }
        OutboundSa.putInt(aad, 0, spi);
        OutboundSa.putInt(aad, 4, (int) (seq >>> 32));
        OutboundSa.putInt(aad, 8, low);
        int start = dst.position();
        int end = src.limit();
        src.position(at + Esp.HEADER_BYTES);
        int n = aead.open(nonce, aad, src, dst);
        src.position(end);
        if (n < 0) {
            dst.position(start);
            return EspDrop.AUTH_FAILED.code();
        }
        window.update(seq);
        accepted++;
        int nextHeader = dst.get(start + n - 1) & 0xff;
        int pad = dst.get(start + n - 2) & 0xff;
        if (pad > n - Esp.TRAILER_BYTES) {
            return EspDrop.BAD_TRAILER.code();
        }
        int inner = n - Esp.TRAILER_BYTES - pad;
        for (int i = 0; i < pad; i++) {
            if ((dst.get(start + inner + i) & 0xff) != i + 1) {
                return EspDrop.BAD_TRAILER.code();
            }
        }
        if (nextHeader == Esp.NEXT_HEADER_NO_NEXT) {
            return EspDrop.DUMMY.code();
        }
        if (nextHeader != Esp.NEXT_HEADER_IPV4) {
            return EspDrop.NOT_IPV4.code();
        }
        return inner;
    }
}
