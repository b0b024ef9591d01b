package io.weft.backend.udp;

import java.nio.ByteBuffer;
import java.util.function.LongSupplier;

/**
 * Builds the ICMP errors weft writes back into the TUN device: Destination Net Unreachable for an
 * unleased destination in the Network and Time Exceeded for an expiring TTL. It follows RFC 1122/1812:
 * no error about an ICMP error, a non-first fragment, or to/from a special address; it quotes as much of
 * the offending packet as fits in 576 bytes; and errors are rate-limited (a token bucket of
 * {@value #BURST} refilled at {@value #PER_SECOND}/s). Not thread-safe: owned by the TUN-reading thread.
 */
final class IcmpErrors {
    static final int TYPE_DESTINATION_UNREACHABLE = 3;
    static final int CODE_NET_UNREACHABLE = 0;
    static final int TYPE_TIME_EXCEEDED = 11;
    static final int CODE_TTL_EXCEEDED = 0;
    static final int MAX_ERROR_LENGTH = 576;
    static final int HEADERS = Ipv4Packet.MIN_HEADER + 8;
    static final int BURST = 50;
    static final int PER_SECOND = 200;
    private static final long NANOS_PER_TOKEN = 1_000_000_000L / PER_SECOND;

    private final LongSupplier nanoTime;
    private long tokens = BURST;
    private long refilledAt;

    IcmpErrors(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        this.refilledAt = nanoTime.getAsLong();
    }

    /**
     * Writes an ICMP error about the packet at {@code in[off, off+length)} to {@code out} at {@code outOff}.
     *
     * @param source the error's source address (the device address)
     * @return the error's length, or 0 when none may be sent (forbidden by the RFCs, or rate-limited)
     */
    int build(ByteBuffer in, int off, int length, int type, int code, int source, ByteBuffer out, int outOff) {
        if (!mayReplyTo(in, off, length) || !takeToken()) {
            return 0;
        }
        int quoted = Math.min(length, MAX_ERROR_LENGTH - HEADERS);
        int total = HEADERS + quoted;
        out.put(outOff, (byte) 0x45);
        out.put(outOff + 1, (byte) 0xc0); // precedence "internetwork control", as the kernel's own errors
        out.putShort(outOff + 2, (short) total);
        out.putInt(outOff + 4, 0); // id 0, no fragmentation flags
        out.put(outOff + 8, (byte) 64);
        out.put(outOff + 9, (byte) Ipv4Packet.PROTOCOL_ICMP);
        out.putShort(outOff + 10, (short) 0);
        out.putInt(outOff + 12, source);
        out.putInt(outOff + 16, Ipv4Packet.source(in, off));
        out.putShort(outOff + 10, (short) Ipv4Packet.checksum(out, outOff, Ipv4Packet.MIN_HEADER));
        int icmp = outOff + Ipv4Packet.MIN_HEADER;
        out.put(icmp, (byte) type);
        out.put(icmp + 1, (byte) code);
        out.putShort(icmp + 2, (short) 0);
        out.putInt(icmp + 4, 0);
        for (int i = 0; i < quoted; i++) {
            out.put(icmp + 8 + i, in.get(off + i));
        }
        out.putShort(icmp + 2, (short) Ipv4Packet.checksum(out, icmp, 8 + quoted));
        return total;
    }

    /** RFC 1122 3.2.2 and RFC 1812 4.3.2.7: when an ICMP error must not be sent. */
    static boolean mayReplyTo(ByteBuffer in, int off, int length) {
        if (length < Ipv4Packet.MIN_HEADER) {
            return false;
        }
        int headerLength = Ipv4Packet.headerLength(in, off);
        if (headerLength < Ipv4Packet.MIN_HEADER || headerLength > length) {
            return false;
        }
        if (Ipv4Packet.fragmentOffset(in, off) != 0 || Ipv4Packet.isSpecial(Ipv4Packet.source(in, off))
                || Ipv4Packet.isSpecial(Ipv4Packet.destination(in, off))) {
            return false;
        }
        if (Ipv4Packet.protocol(in, off) == Ipv4Packet.PROTOCOL_ICMP) {
            return length > headerLength && isQuery(in.get(off + headerLength) & 0xff);
        }
        return true;
    }

    /** ICMP queries and replies (echo, timestamp, information, address mask); every other type is an error. */
    private static boolean isQuery(int type) {
        return type == 0 || type == 8 || (type >= 13 && type <= 18);
    }

    private boolean takeToken() {
        long now = nanoTime.getAsLong();
        long earned = (now - refilledAt) / NANOS_PER_TOKEN;
        if (earned > 0) {
            tokens = Math.min(BURST, tokens + earned);
            refilledAt += earned * NANOS_PER_TOKEN;
        }
        if (tokens == 0) {
            return false;
        }
        tokens--;
        return true;
    }
}
