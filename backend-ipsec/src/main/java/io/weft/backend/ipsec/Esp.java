package io.weft.backend.ipsec;

/**
 * The ESP-in-UDP wire format's constants and size arithmetic (RFC 4303, RFC 3948, RFC 4106). A UDP payload
 * this backend sends is:
 *
 * <pre>
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |               Security Parameters Index (SPI), never 0        |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |      Sequence Number (low 32 bits of the 64-bit ESN)          |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 Explicit IV (8 bytes)                         |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * ~   encrypted: inner IPv4 packet | Padding 1,2,3 (0-3 bytes) |    ~
 * |              Pad Length | Next Header = 4 (IPv4, tunnel mode) |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * |                 ICV (16 bytes, the GCM tag)                   |
 * +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 * </pre>
 *
 * The GCM nonce is salt(4) || IV(8); the AAD is SPI || seq high 32 bits || seq low 32 bits (RFC 4106
 * section 5, extended sequence numbers). Padding aligns Pad Length and Next Header to 4 bytes, the least
 * RFC 4303 section 2.4 allows; GCM needs no block padding. Stateless.
 */
final class Esp {
    static final int SPI_BYTES = 4;
    static final int SEQ_BYTES = 4;
    static final int IV_BYTES = 8;
    static final int SALT_BYTES = 4;
    static final int NONCE_BYTES = SALT_BYTES + IV_BYTES;
    static final int AAD_BYTES = 12;
    static final int ICV_BYTES = 16;
    static final int TRAILER_BYTES = 2;
    static final int HEADER_BYTES = SPI_BYTES + SEQ_BYTES + IV_BYTES;
    /** Outer IPv4 header (no options) and UDP header. */
    static final int OUTER_IP_UDP_BYTES = 20 + 8;
    static final int NEXT_HEADER_IPV4 = 4;
    static final int NEXT_HEADER_NO_NEXT = 59;
    /** SPIs 1 to 255 are reserved by IANA; 0 is the RFC 3948 non-ESP marker. */
    static final int MIN_SPI = 256;
    /** The largest padding: 3 bytes, to align the trailer on 4 bytes. */
    static final int MAX_PADDING = 3;

    private Esp() {
    }

    /** Bytes of padding for an inner packet of {@code length} bytes: 0 to 3. */
    static int padding(int length) {
        return (4 - ((length + TRAILER_BYTES) & 3)) & 3;
    }

    /** The ESP payload (UDP payload) size for an inner packet of {@code length} bytes. */
    static int espLength(int length) {
        return HEADER_BYTES + length + padding(length) + TRAILER_BYTES + ICV_BYTES;
    }

    /**
     * The largest inner packet whose ESP-in-UDP datagram fits in an outer MTU of {@code outerMtu}: the outer
     * 20 + 8 bytes, ESP header and IV 16, trailer 2 and ICV 16 make 62 bytes of overhead, plus 0 to 3 bytes
     * of padding; the result is the largest size that needs no padding and fits, {@code 4 * floor((outer - 60)
     * / 4) - 2}. 1500 gives 1438 (62 bytes of overhead); 9000 gives 8938.
     */
    static int innerMtu(int outerMtu) {
        int room = outerMtu - OUTER_IP_UDP_BYTES - HEADER_BYTES - ICV_BYTES;
        return (room & ~3) - TRAILER_BYTES;
    }

    /** The outer MTU a given inner MTU needs. */
    static int outerMtuFor(int innerMtu) {
        return OUTER_IP_UDP_BYTES + espLength(innerMtu);
    }

    static String spiHex(int spi) {
        return String.format("0x%08x", spi);
    }
}
