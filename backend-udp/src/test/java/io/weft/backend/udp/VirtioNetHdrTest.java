package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class VirtioNetHdrTest {

    @ParameterizedTest(name = "flags {0} type {1} hdr {2} gso {3} start {4} offset {5}")
    @CsvSource({
            "1, 1, 52, 1448, 20, 16",
            "1, 129, 66, 8948, 20, 16",
            "1, 5, 28, 1472, 20, 6",
            "2, 0, 0, 0, 0, 0",
            "0, 4, 65535, 65535, 65535, 65535",
    })
    void writesLittleEndianAndReadsBack(int flags, int type, int hdrLen, int gsoSize, int start, int offset) {
        for (ByteOrder order : new ByteOrder[] {ByteOrder.BIG_ENDIAN, ByteOrder.LITTLE_ENDIAN}) {
            ByteBuffer b = ByteBuffer.allocateDirect(3 + VirtioNetHdr.LENGTH).order(order);
            VirtioNetHdr.write(b, 3, flags, type, hdrLen, gsoSize, start, offset);
            byte[] expected = {(byte) flags, (byte) type, (byte) hdrLen, (byte) (hdrLen >>> 8), (byte) gsoSize,
                    (byte) (gsoSize >>> 8), (byte) start, (byte) (start >>> 8), (byte) offset, (byte) (offset >>> 8)};
            assertArrayEquals(expected, Inet.bytes(b, 3, VirtioNetHdr.LENGTH), "wire bytes, " + order);
            assertEquals(flags, VirtioNetHdr.flags(b, 3));
            assertEquals(type, VirtioNetHdr.gsoType(b, 3));
            assertEquals(hdrLen, VirtioNetHdr.hdrLen(b, 3));
            assertEquals(gsoSize, VirtioNetHdr.gsoSize(b, 3));
            assertEquals(start, VirtioNetHdr.csumStart(b, 3));
            assertEquals(offset, VirtioNetHdr.csumOffset(b, 3));
            assertEquals(order, b.order(), "the buffer's order is left alone");
        }
    }

    @Test
    void readsWhatTheKernelWrites() {
        // A TSO header as a TUN device hands it out on x86: NEEDS_CSUM, TCPV4, hdr_len 66, gso_size 1448,
        // csum_start 20, csum_offset 16.
        byte[] raw = {0x01, 0x01, 0x42, 0x00, (byte) 0xa8, 0x05, 0x14, 0x00, 0x10, 0x00};
        ByteBuffer b = ByteBuffer.wrap(raw);
        assertEquals(VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.flags(b, 0));
        assertEquals(VirtioNetHdr.GSO_TCPV4, VirtioNetHdr.gsoType(b, 0));
        assertEquals(66, VirtioNetHdr.hdrLen(b, 0));
        assertEquals(1448, VirtioNetHdr.gsoSize(b, 0));
        assertEquals(20, VirtioNetHdr.csumStart(b, 0));
        assertEquals(16, VirtioNetHdr.csumOffset(b, 0));
    }

    @Test
    void noneIsAllZero() {
        ByteBuffer b = ByteBuffer.allocate(VirtioNetHdr.LENGTH);
        for (int i = 0; i < VirtioNetHdr.LENGTH; i++) {
            b.put(i, (byte) 0x5a);
        }
        VirtioNetHdr.writeNone(b, 0);
        assertArrayEquals(new byte[VirtioNetHdr.LENGTH], b.array());
    }

    @Test
    void constantsMatchLinuxVirtioNetH() {
        assertEquals(10, VirtioNetHdr.LENGTH);
        assertEquals(1, VirtioNetHdr.FLAG_NEEDS_CSUM);
        assertEquals(2, VirtioNetHdr.FLAG_DATA_VALID);
        assertEquals(0, VirtioNetHdr.GSO_NONE);
        assertEquals(1, VirtioNetHdr.GSO_TCPV4);
        assertEquals(3, VirtioNetHdr.GSO_UDP);
        assertEquals(4, VirtioNetHdr.GSO_TCPV6);
        assertEquals(5, VirtioNetHdr.GSO_UDP_L4);
        assertEquals(0x80, VirtioNetHdr.GSO_ECN);
    }
}
