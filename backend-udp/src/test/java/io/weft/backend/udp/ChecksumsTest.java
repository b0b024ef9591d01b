package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ChecksumsTest {

    @Test
    void matchesTheNaiveChecksumOnRandomRangesOffsetsAndLengths() {
        Random random = new Random(7);
        byte[] data = new byte[70_000];
        random.nextBytes(data);
        ByteBuffer heap = ByteBuffer.wrap(data);
        ByteBuffer direct = ByteBuffer.allocateDirect(data.length).put(data);
        for (int round = 0; round < 3000; round++) {
            int off = random.nextInt(64);
            int len = round < 100 ? round : random.nextInt(round % 10 == 0 ? 65_536 : 2000);
            int expected = Inet.naiveChecksum(data, off, off + len);
            assertEquals(expected, Checksums.checksum(heap, off, len), "heap off " + off + " len " + len);
            assertEquals(expected, Checksums.checksum(direct, off, len), "direct off " + off + " len " + len);
        }
    }

    @Test
    void allOnesDoesNotOverflow() {
        ByteBuffer b = ByteBuffer.allocate(65_536);
        for (int i = 0; i < b.capacity(); i++) {
            b.put(i, (byte) 0xff);
        }
        assertEquals(Inet.naiveChecksum(b.array()), Checksums.checksum(b, 0, b.capacity()));
        assertEquals(0xffff, Checksums.fold(Checksums.sum(b, 0, b.capacity())));
    }

    @Test
    void sumsOfEvenSplitRangesAddUp() {
        Random random = new Random(11);
        byte[] data = new byte[3001];
        random.nextBytes(data);
        ByteBuffer b = ByteBuffer.wrap(data);
        for (int split = 0; split <= data.length; split += 2) {
            long sum = Checksums.sum(b, 0, split) + Checksums.sum(b, split, data.length - split);
            assertEquals(Inet.naiveChecksum(data), Checksums.finish(sum), "split at " + split);
        }
    }

    @ParameterizedTest
    @CsvSource({
            "'45 00 00 73 00 00 40 00 40 11 00 00 c0 a8 00 01 c0 a8 00 c7', b861",
            "'00 01 f2 03 f4 f5 f6 f7', 220d",
            "'00 01 f2', 0dfe",
            "'', ffff",
            "'ff', 00ff",
    })
    void knownValues(String hex, String expected) {
        String[] bytes = hex.isEmpty() ? new String[0] : hex.split(" ");
        ByteBuffer b = ByteBuffer.allocate(bytes.length);
        for (int i = 0; i < bytes.length; i++) {
            b.put(i, (byte) Integer.parseInt(bytes[i], 16));
        }
        assertEquals(Integer.parseInt(expected, 16), Checksums.checksum(b, 0, bytes.length));
    }

    @ParameterizedTest(name = "{0} -> {1} proto {2} len {3}")
    @CsvSource({
            "100.96.1.5, 100.96.2.7, 6, 1480",
            "255.255.255.255, 255.255.255.255, 17, 65515",
            "0.0.0.0, 0.0.0.0, 6, 0",
            "10.1.2.3, 192.168.200.1, 17, 8",
    })
    void pseudoHeaderMatchesTheNaiveSumOfItsTwelveBytes(String src, String dst, int protocol, int length) {
        byte[] pseudo = new byte[12];
        Inet.put32(pseudo, 0, Packets.ip(src) & 0xffffffffL);
        Inet.put32(pseudo, 4, Packets.ip(dst) & 0xffffffffL);
        pseudo[9] = (byte) protocol;
        Inet.put16(pseudo, 10, length);
        long sum = Checksums.pseudoHeader(Packets.ip(src), Packets.ip(dst), protocol, length);
        assertEquals(Inet.naiveChecksum(pseudo), Checksums.finish(sum));
    }

    @Test
    void ipv4HeaderChecksumWithOptions() {
        Random random = new Random(3);
        ByteBuffer b = ByteBuffer.allocate(64);
        for (int round = 0; round < 2000; round++) {
            random.nextBytes(b.array());
            int ihl = 5 + random.nextInt(11);
            b.put(2, (byte) (0x40 | ihl)); // the header starts at 2
            Checksums.setIpv4HeaderChecksum(b, 2);
            assertEquals(0, Inet.naiveChecksum(b.array(), 2, 2 + ihl * 4), "round " + round);
        }
    }
}
