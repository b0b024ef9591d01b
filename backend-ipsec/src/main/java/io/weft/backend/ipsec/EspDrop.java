package io.weft.backend.ipsec;

/**
 * Why the ESP stage dropped a packet; each has its own counter in {@link EspStats}. A decoder reports a drop
 * as the negative number {@link #code()} so the hot path returns an int, not an object.
 */
enum EspDrop {
    /** Too short, or the encrypted part is not a multiple of 4 bytes. */
    MALFORMED("esp-malformed"),
    /** The source is not a peer with a usable PublicKey. */
    UNKNOWN_PEER("esp-unknown-peer"),
    /** No SA with this SPI, and the SPI is no acceptable new one (or new SPIs arrive too fast). */
    UNKNOWN_SPI("esp-unknown-spi"),
    /** The SPI is older than the SA lifetime allows (or the sender's clock is far off). */
    EXPIRED_SA("esp-expired-sa"),
    /** The sequence number was already received. */
    REPLAY("esp-replay"),
    /** The sequence number lies behind the anti-replay window. */
    TOO_OLD("esp-too-old"),
    /** The ICV (GCM tag) did not verify: tampered, or keys differ (another PSK). */
    AUTH_FAILED("esp-auth-failed"),
    /** Authentic, but Pad Length or the padding bytes are wrong. */
    BAD_TRAILER("esp-bad-trailer"),
    /** Authentic, but Next Header is not 4 (IPv4). */
    NOT_IPV4("esp-not-ipv4"),
    /** Authentic dummy packet (Next Header 59), dropped as RFC 4303 says. */
    DUMMY("esp-dummy"),
    /** Outbound: the peer has no usable PublicKey yet. */
    NO_SA("esp-no-sa"),
    /** Either way: the peer publishes this host's PublicKey or another peer's (a copied key file), so it is refused. */
    DUPLICATE_KEY("esp-duplicate-key");

    private static final EspDrop[] VALUES = values();
    private final String key;

    EspDrop(String key) {
        this.key = key;
    }

    String key() {
        return key;
    }

    /** The negative int a decoder returns for this drop. */
    int code() {
        return -1 - ordinal();
    }

    static EspDrop fromCode(int code) {
        return VALUES[-1 - code];
    }
}
