package io.weft.backend.ipsec;

import java.util.HexFormat;

/**
 * One SA's keying material: its SPI, the AES key and the 4-byte salt that RFC 4106 puts in front of every
 * explicit IV. Immutable; arrays are copied in and out, and {@link #toString()} shows neither key nor salt.
 */
record SaKey(int spi, byte[] key, byte[] salt) {
    SaKey {
        key = key.clone();
        salt = salt.clone();
        if (key.length != 16 && key.length != 32) {
            throw new IllegalArgumentException("AES key of " + key.length + " bytes");
        }
        if (salt.length != Esp.SALT_BYTES) {
            throw new IllegalArgumentException("salt of " + salt.length + " bytes");
        }
    }

    @Override
    public byte[] key() {
        return key.clone();
    }

    @Override
    public byte[] salt() {
        return salt.clone();
    }

    /** Key then salt in hex, as RFC 4106 keying material and Wireshark's esp_sa expect it. */
    String keyAndSaltHex() {
        return HexFormat.of().formatHex(key) + HexFormat.of().formatHex(salt);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SaKey k && k.spi == spi && java.util.Arrays.equals(k.key, key)
                && java.util.Arrays.equals(k.salt, salt);
    }

    @Override
    public int hashCode() {
        return spi;
    }

    @Override
    public String toString() {
        return "SaKey[spi=" + Esp.spiHex(spi) + ", " + key.length * 8 + "-bit, redacted]";
    }
}
