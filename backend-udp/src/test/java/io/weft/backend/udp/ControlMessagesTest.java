package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.linux.LibC;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The cmsghdr layout of UDP_SEGMENT and UDP_GRO on LP64 Linux, and the offload names weft reports. */
class ControlMessagesTest {
    private final ByteBuffer b = ByteBuffer.allocateDirect(2 * ControlMessages.SPACE).order(ByteOrder.nativeOrder());

    @Test
    void aSegmentMessageIsCmsgLenLevelTypeThenAU16() {
        assertEquals(24, ControlMessages.putSegment(b, 0, 1472));
        assertEquals(18, b.getLong(0), "CMSG_LEN(sizeof(uint16_t))");
        assertEquals(LibC.SOL_UDP, b.getInt(8));
        assertEquals(LibC.UDP_SEGMENT, b.getInt(12));
        assertEquals(1472, b.getShort(16));
    }

    @Test
    void aGroMessageGivesItsSizeAndAnythingElseGivesNone() {
        b.putLong(0, 20).putInt(8, LibC.SOL_UDP).putInt(12, LibC.UDP_GRO).putInt(16, 1400);
        assertEquals(1400, ControlMessages.groSize(b, 0, 24));
        assertEquals(0, ControlMessages.groSize(b, 0, 0), "the kernel wrote no control message");
        b.putInt(12, LibC.UDP_SEGMENT);
        assertEquals(0, ControlMessages.groSize(b, 0, 24), "another type");
        b.putInt(12, LibC.UDP_GRO).putInt(8, 0);
        assertEquals(0, ControlMessages.groSize(b, 0, 24), "another level");
        b.putInt(8, LibC.SOL_UDP).putLong(0, 12);
        assertEquals(0, ControlMessages.groSize(b, 0, 24), "too short to hold an int");
    }

    @Test
    void offloadNamesFollowWhatTheKernelGranted() {
        assertEquals(List.of(), Offloads.NONE.names());
        assertEquals(List.of("tso4", "tso6", "csum", "udp-gso", "udp-gro"),
                new Offloads(true, 0x07, true, true).names());
        assertEquals(List.of("tso4", "tso6", "uso4", "uso6", "csum", "udp-gro"),
                new Offloads(true, 0x67, false, true).names());
    }
}
