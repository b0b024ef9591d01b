package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The cluster's pre-shared key (from the host's {@link PskFile} or {@code Backend.PSK}): the HKDF salt that
 * binds every SA key to knowledge of it, so someone who can write leases but lacks the PSK cannot derive keys.
 * Immutable; the bytes are copied in and out, and {@link #toString()} never shows them.
 */
final class Psk {
    static final int MIN_BYTES = 32;
    private final byte[] bytes;

    private Psk(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Checks the config value {@code Backend.PSK}: present and at least {@value #MIN_BYTES} bytes of UTF-8. */
    static Psk of(String text) {
        if (text == null || text.isEmpty()) {
            throw new WeftException("Backend.PSK is missing and no " + PskFile.FLAG + " was given: the ipsec backend"
                    + " needs a pre-shared key of at least " + MIN_BYTES + " bytes; put one in a file of mode 0600"
                    + " (e.g. 'openssl rand -base64 32 > /etc/weft/ipsec.psk') and give it to every daemon with "
                    + PskFile.FLAG + " FILE, or set Backend.PSK in the network config");
        }
        return of(text, "Backend.PSK");
    }

    /**
     * Checks a PSK from {@code source} (how messages name it, e.g. {@code Backend.PSK}): at least
     * {@value #MIN_BYTES} bytes of UTF-8.
     */
    static Psk of(String text, String source) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length < MIN_BYTES) {
            throw new WeftException(source + " is " + b.length + " bytes, too short: it must be at least "
                    + MIN_BYTES + " bytes; generate one with 'openssl rand -base64 32'");
        }
        return new Psk(b);
    }

    byte[] bytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Psk other && MessageDigest.isEqual(bytes, other.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    @Override
    public String toString() {
        return "Psk[" + bytes.length + " bytes, redacted]";
    }
}
