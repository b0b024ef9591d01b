package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;

/**
 * The cluster's pre-shared key ({@code Backend.PSK}): the HKDF salt that binds every SA key to knowledge of
 * it, so someone who can write leases but lacks the PSK cannot derive keys. Immutable; the bytes are copied
 * in and out, and {@link #toString()} never shows them.
 */
final class Psk {
    static final int MIN_BYTES = 32;
    private final byte[] bytes;

    private Psk(byte[] bytes) {
        this.bytes = bytes;
    }

    /** Checks the config value: present and at least {@value #MIN_BYTES} bytes of UTF-8. */
    static Psk of(String text) {
        if (text == null || text.isEmpty()) {
            throw new WeftException("Backend.PSK is missing: the ipsec backend needs a pre-shared key of at least "
                    + MIN_BYTES + " bytes, e.g. the output of 'openssl rand -base64 32'");
        }
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        if (b.length < MIN_BYTES) {
            throw new WeftException("Backend.PSK is " + b.length + " bytes, too short: it must be at least "
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
