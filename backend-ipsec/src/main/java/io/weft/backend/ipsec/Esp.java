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
 * RFC 4303 section 2.4 allows; GCM needs no block padding.
 *
 * <p>The SPI says when and on which queue its SA was made: its sender's clock in seconds when it made the SA,
 * rounded down to a multiple of 4, with the sending queue (0 to {@link #SA_QUEUES} - 1) in the low 2 bits:
 *
 * <pre>
 * SPI = (epochSeconds &amp; ~3) | queue        e.g. 0x69801a03: made by queue 3 at 1770002944 to 1770002947 s
 * </pre>
 *
 * Each sending queue has its own SA to each peer (own key, sequence numbers and replay window at the
 * receiver), and a receiver steers each datagram to the socket of queue {@code (SPI & 3) % queues}
 * ({@link EspSteering}), so one thread opens each inbound SA. Stateless.
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
    /** How many sending queues the SPI's low bits can name: the most queues an ipsec host runs. */
    static final int SA_QUEUES = 4;
    private static final int QUEUE_MASK = SA_QUEUES - 1;

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

    /** The sending queue an SPI names: its low 2 bits. */
    static int queueOf(int spi) {
        return spi & QUEUE_MASK;
    }

    /**
     * The SPI sending queue {@code queue} gives the SA it makes at {@code epochSeconds}: strictly above
     * {@code lastSpi} (that queue's previous SPI, or 0), at least {@link #MIN_SPI}, as an unsigned value.
     */
    static long nextSpi(long epochSeconds, long lastSpi, int queue) {
        if (queue < 0 || queue >= SA_QUEUES) {
            throw new IllegalArgumentException("queue " + queue + " is not in 0.." + (SA_QUEUES - 1));
        }
        long clock = Math.max(Math.max(epochSeconds & ~QUEUE_MASK, (lastSpi & ~QUEUE_MASK) + SA_QUEUES), MIN_SPI);
        return (clock | queue) & 0xffffffffL;
    }

    static String spiHex(int spi) {
        return String.format("0x%08x", spi);
    }
}
