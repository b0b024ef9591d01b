package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.core.testing.FuzzInput;
import java.util.Arrays;

/**
 * Fuzz target for {@link IcmpErrors}: the errors weft writes back into the TUN device about a packet it could
 * not forward. Seeds: {@code IcmpErrorsFuzzTestInputs/}, written by {@link FuzzSeeds}.
 */
class IcmpErrorsFuzzTest {
    private static final int OUT_OFF = 10;
    private static final long NANOS_PER_TOKEN = 1_000_000_000L / IcmpErrors.PER_SECOND;

    /**
     * Property of {@link IcmpErrors#build} on any bytes, called one or more times on a clock the input moves:
     * it never throws, reads only the offending packet and changes none of it, and writes only the error into
     * its output area. It answers exactly when RFC 1122/1812 allow (the reference {@link #mayReply}) and the
     * rate limit has a token (at least the first {@value IcmpErrors#BURST} calls, at most
     * {@value IcmpErrors#BURST} plus one per 5 ms elapsed); an error is a valid IPv4 packet (header checksum,
     * total length) from the device address to the offender's source, carrying a valid ICMP message of the
     * asked type and code that quotes the offender's first bytes, 576 bytes at most in all.
     *
     * <p>Input: offset selector, error selector (even: net unreachable, odd: time exceeded), calls (1 to 64),
     * clock step per call in 100 µs units (16 bits), then the offending packet.
     */
    @FuzzTest
    void build(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        int off = ForwardingFuzzTest.offset(in.u8());
        boolean unreachable = in.u8() % 2 == 0;
        int calls = 1 + in.u8() % 64;
        long step = in.u16() * 100_000L;
        byte[] packet = in.rest();
        int type = unreachable ? IcmpErrors.TYPE_DESTINATION_UNREACHABLE : IcmpErrors.TYPE_TIME_EXCEEDED;
        int code = unreachable ? IcmpErrors.CODE_NET_UNREACHABLE : IcmpErrors.CODE_TTL_EXCEEDED;
        int[] a = buildAll(packet, off, type, code, calls, step, CanaryBuffer.FILL_A);
        int[] b = buildAll(packet, off, type, code, calls, step, CanaryBuffer.FILL_B);
        assertArrayEquals(a, b, "the answers depend on bytes outside the packet");
    }

    private static int[] buildAll(byte[] packet, int off, int type, int code, int calls, long step, byte fill) {
        long[] now = {1_000_000_000L};
        IcmpErrors icmp = new IcmpErrors(() -> now[0]);
        int device = Packets.ip("100.96.1.0");
        boolean allowed = mayReply(packet);
        int expectedLength = IcmpErrors.HEADERS + Math.min(packet.length, IcmpErrors.MAX_ERROR_LENGTH - IcmpErrors.HEADERS);
        int[] lengths = new int[calls];
        int answered = 0;
        for (int i = 0; i < calls; i++) {
            if (i > 0) {
                now[0] += step;
            }
            CanaryBuffer in = new CanaryBuffer(packet, off, 64, fill);
            CanaryBuffer out = CanaryBuffer.area(OUT_OFF + IcmpErrors.MAX_ERROR_LENGTH + 64, fill);
            int length = icmp.build(in.view(), off, packet.length, type, code, device, out.buffer(), OUT_OFF);
            in.assertCanaryIntact();
            in.assertPacket(packet);
            out.assertCanaryIntactOutside(OUT_OFF, length);
            lengths[i] = length;
            if (length == 0) {
                continue;
            }
            assertTrue(allowed, "answered a packet RFC 1122/1812 say must get no error");
            assertEquals(expectedLength, length);
            answered++;
            checkError(Inet.bytes(out.buffer(), OUT_OFF, length), packet, type, code, device);
        }
        if (allowed) {
            long elapsed = (calls - 1) * step;
            assertTrue(answered >= Math.min(calls, IcmpErrors.BURST), "answered " + answered + " of " + calls);
            assertTrue(answered <= IcmpErrors.BURST + elapsed / NANOS_PER_TOKEN,
                    "answered " + answered + " in " + elapsed + " ns: over the rate limit");
        }
        return lengths;
    }

    private static void checkError(byte[] e, byte[] packet, int type, int code, int device) {
        assertEquals(0x45, e[0] & 0xff);
        assertEquals(e.length, Inet.u16(e, 2));
        assertEquals(0, Inet.naiveChecksum(e, 0, 20), "the error's IP header checksum");
        assertEquals(Ipv4Packet.PROTOCOL_ICMP, e[9]);
        assertEquals(device, (int) Inet.u32(e, 12));
        assertEquals((int) Inet.u32(packet, 12), (int) Inet.u32(e, 16), "the error goes to the offender's source");
        assertEquals(type, e[20] & 0xff);
        assertEquals(code, e[21] & 0xff);
        assertEquals(0, Inet.naiveChecksum(e, 20, e.length), "the ICMP checksum");
        assertArrayEquals(Arrays.copyOf(packet, e.length - IcmpErrors.HEADERS),
                Arrays.copyOfRange(e, IcmpErrors.HEADERS, e.length), "the quote");
        assertTrue(e.length <= IcmpErrors.MAX_ERROR_LENGTH);
    }

    /** RFC 1122 3.2.2 and RFC 1812 4.3.2.7, worked out on the byte array. */
    static boolean mayReply(byte[] p) {
        if (p.length < 20) {
            return false;
        }
        int ihl = (p[0] & 0x0f) * 4;
        if (ihl < 20 || ihl > p.length || (Inet.u16(p, 6) & 0x1fff) != 0) {
            return false;
        }
        int source = p[12] & 0xff;
        int destination = p[16] & 0xff;
        if (source == 0 || source >= 224 || destination == 0 || destination >= 224) {
            return false;
        }
        if (p[9] != Ipv4Packet.PROTOCOL_ICMP) {
            return true;
        }
        if (p.length <= ihl) {
            return false;
        }
        int icmpType = p[ihl] & 0xff;
        return icmpType == 0 || icmpType == 8 || (icmpType >= 13 && icmpType <= 18);
    }
}
