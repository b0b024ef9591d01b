package io.weft.backend.udp;

import static io.weft.backend.udp.Packets.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IcmpErrorsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final IcmpErrors icmp = new IcmpErrors(now::get);

    @Test
    void netUnreachableQuotesTheOffenderAndVerifies() {
        ByteBuffer offender = Packets.ipv4("100.96.1.0", "100.96.99.9", 64, 1, 84);
        offender.put(20, (byte) 8); // echo request
        ByteBuffer out = ByteBuffer.allocate(IcmpErrors.MAX_ERROR_LENGTH);
        int length = icmp.build(offender, 0, 84, IcmpErrors.TYPE_DESTINATION_UNREACHABLE,
                IcmpErrors.CODE_NET_UNREACHABLE, ip("100.96.1.0"), out, 0);
        assertEquals(20 + 8 + 84, length);
        assertEquals(length, Ipv4Packet.totalLength(out, 0));
        assertEquals(0, Ipv4Packet.checksum(out, 0, 20), "IP checksum verifies");
        assertEquals(0, Ipv4Packet.checksum(out, 20, length - 20), "ICMP checksum verifies");
        assertEquals(Ipv4Packet.PROTOCOL_ICMP, Ipv4Packet.protocol(out, 0));
        assertEquals(ip("100.96.1.0"), Ipv4Packet.source(out, 0));
        assertEquals(ip("100.96.1.0"), Ipv4Packet.destination(out, 0));
        assertEquals(3, out.get(20));
        assertEquals(0, out.get(21));
        assertEquals(ip("100.96.99.9"), out.getInt(28 + 16), "quoted destination");
    }

    @Test
    void quotesAtMost576BytesInAll() {
        ByteBuffer offender = Packets.ipv4("100.96.1.0", "100.96.2.9", 1, 17, 1400);
        ByteBuffer out = ByteBuffer.allocate(IcmpErrors.MAX_ERROR_LENGTH);
        int length = icmp.build(offender, 0, 1400, IcmpErrors.TYPE_TIME_EXCEEDED, IcmpErrors.CODE_TTL_EXCEEDED,
                ip("100.96.1.0"), out, 0);
        assertEquals(576, length);
        assertEquals(11, out.get(20));
        assertEquals(0, Ipv4Packet.checksum(out, 20, length - 20));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "echo request, 1, 8, 0, 100.96.1.0, 100.96.9.9, true",
            "echo reply, 1, 0, 0, 100.96.1.0, 100.96.9.9, true",
            "udp, 17, 0, 0, 100.96.1.0, 100.96.9.9, true",
            "an ICMP error, 1, 3, 0, 100.96.1.0, 100.96.9.9, false",
            "an ICMP time exceeded, 1, 11, 0, 100.96.1.0, 100.96.9.9, false",
            "a later fragment, 17, 0, 185, 100.96.1.0, 100.96.9.9, false",
            "from 0.0.0.0, 17, 0, 0, 0.0.0.0, 100.96.9.9, false",
            "to multicast, 17, 0, 0, 100.96.1.0, 224.0.0.251, false",
            "to broadcast, 17, 0, 0, 100.96.1.0, 255.255.255.255, false",
    })
    void repliesOnlyWhereTheRfcsAllow(String name, int protocol, int icmpType, int fragment, String src, String dst,
            boolean expected) {
        ByteBuffer b = Packets.ipv4(src, dst, 64, protocol, 60);
        b.put(20, (byte) icmpType);
        b.putShort(6, (short) fragment);
        assertEquals(expected, IcmpErrors.mayReplyTo(b, 0, 60));
    }

    /** A packet shorter than a header gets no error, and not a byte past it is read. Found by IcmpErrorsFuzzTest. */
    @ParameterizedTest
    @ValueSource(ints = {0, 1, 19})
    void shorterThanAHeaderGetsNoErrorAndIsReadNoFurther(int length) {
        ByteBuffer b = Packets.ipv4("100.96.1.0", "100.96.99.9", 64, 17, 60);
        b.limit(length); // a read past the packet throws
        assertEquals(false, IcmpErrors.mayReplyTo(b, 0, length));
        assertEquals(0, icmp.build(b, 0, length, 3, 0, 1, ByteBuffer.allocate(IcmpErrors.MAX_ERROR_LENGTH), 0));
    }

    @Test
    void rateLimited() {
        ByteBuffer offender = Packets.ipv4("100.96.1.0", "100.96.99.9", 64, 17, 60);
        ByteBuffer out = ByteBuffer.allocate(IcmpErrors.MAX_ERROR_LENGTH);
        int sent = 0;
        for (int i = 0; i < 1000; i++) {
            sent += icmp.build(offender, 0, 60, 3, 0, 1, out, 0) > 0 ? 1 : 0;
        }
        assertEquals(IcmpErrors.BURST, sent);
        now.addAndGet(100_000_000L); // 0.1 s earns 20 tokens
        sent = 0;
        for (int i = 0; i < 1000; i++) {
            sent += icmp.build(offender, 0, 60, 3, 0, 1, out, 0) > 0 ? 1 : 0;
        }
        assertEquals(IcmpErrors.PER_SECOND / 10, sent);
    }
}
