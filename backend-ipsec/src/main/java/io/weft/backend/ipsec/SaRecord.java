package io.weft.backend.ipsec;

import java.util.Objects;

/**
 * One SA as the SA list file and {@code weft ipsec sa} show it: no key, only what is needed to derive it
 * again with the key file and the PSK. Immutable.
 *
 * @param outbound      true for this host to the peer, false for the peer to this host
 * @param source        the outer source IPv4 address
 * @param destination   the outer destination IPv4 address
 * @param spi           the SPI
 * @param peerPublicKey the peer's X25519 public key, base64
 * @param current       true for the SA in use, false for a recent one kept for decoding captures
 */
record SaRecord(boolean outbound, String source, String destination, int spi, String peerPublicKey,
        boolean current) {
    SaRecord {
        Objects.requireNonNull(source, "source is null");
        Objects.requireNonNull(destination, "destination is null");
        Objects.requireNonNull(peerPublicKey, "peerPublicKey is null");
    }
}
