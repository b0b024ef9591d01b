package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv4PacketTest {

    @ParameterizedTest(name = "ttl {0} proto {1} {2}->{3}")
    @CsvSource({
            "64, 1, 100.96.1.0, 100.96.2.0",
            "2, 6, 10.0.0.1, 10.0.0.2",
            "255, 17, 255.255.255.254, 0.0.0.1",
            "128, 0, 0.0.0.0, 0.0.0.0",
            "1, 255, 100.96.34.7, 100.96.35.9",
    })
    void decrementTtlKeepsTheChecksumValid(int ttl, int protocol, String src, String dst) {
        ByteBuffer b = Packets.ipv4(src, dst, ttl, protocol, 40);
        if (ttl > 1) {
            Ipv4Packet.decrementTtl(b, 0);
            assertEquals(ttl - 1, Ipv4Packet.ttl(b, 0));
        }
        assertEquals(0, Ipv4Packet.checksum(b, 0, 20), "header checksum verifies");
        assertEquals(protocol, Ipv4Packet.protocol(b, 0));
    }

    @Test
    void incrementalUpdateMatchesFullRecomputationOnRandomHeaders() {
        Random random = new Random(42);
        ByteBuffer b = ByteBuffer.allocate(60);
        for (int round = 0; round < 20_000; round++) {
            random.nextBytes(b.array());
            int ihl = 5 + random.nextInt(11);
            b.put(0, (byte) (0x40 | ihl));
            b.put(8, (byte) (2 + random.nextInt(254)));
            b.putShort(10, (short) 0);
            b.putShort(10, (short) Ipv4Packet.checksum(b, 0, ihl * 4));
            Ipv4Packet.decrementTtl(b, 0);
            int incremental = Ipv4Packet.headerChecksum(b, 0);
            b.putShort(10, (short) 0);
            int full = Ipv4Packet.checksum(b, 0, ihl * 4);
            // 0x0000 and 0xffff are the same value in ones' complement arithmetic.
            assertEquals(full == 0xffff ? 0 : full, incremental == 0xffff ? 0 : incremental, "round " + round);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "'45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7', b861",
            "'00 01 f2 03 f4 f5 f6 f7', 220d",
            "'00 01 f2', 0dfe",
    })
    void checksumMatchesKnownValues(String hex, String expected) {
        String[] bytes = hex.split(" ");
        ByteBuffer b = ByteBuffer.allocate(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            b.put(i, (byte) Integer.parseInt(bytes[i], 16));
        }
        assertEquals(Integer.parseInt(expected, 16), Ipv4Packet.checksum(b, 0, bytes.length));
    }

    @ParameterizedTest
    @CsvSource({"0.0.0.0, true", "0.1.2.3, true", "224.0.0.1, true", "239.1.1.1, true", "255.255.255.255, true",
            "240.0.0.1, true", "100.96.1.0, false", "223.255.255.255, false", "1.0.0.0, false"})
    void specialAddresses(String address, boolean special) {
        assertEquals(special, Ipv4Packet.isSpecial(Packets.ip(address)));
    }
}
