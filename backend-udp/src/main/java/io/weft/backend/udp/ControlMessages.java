package io.weft.backend.udp;

import io.weft.linux.LibC;
import java.nio.ByteBuffer;

/**
 * The one control message each way that UDP offloads use, laid out as LP64 Linux's {@code struct cmsghdr}
 * ({@code size_t cmsg_len; int cmsg_level; int cmsg_type;} then the data, aligned to 8): {@code UDP_SEGMENT}
 * (a u16 segment size) on send, {@code UDP_GRO} (an int segment size) on receive. Stateless.
 */
final class ControlMessages {
    /** {@code CMSG_SPACE(sizeof(int))}: room for one such message. */
    static final int SPACE = 24;
    private static final int HEADER = 16;
    private static final int LEVEL = 8;
    private static final int TYPE = 12;

    private ControlMessages() {
    }

    /** Writes a {@code UDP_SEGMENT} message of {@code size} at {@code at} (native order buffer); returns its space. */
    static int putSegment(ByteBuffer b, int at, int size) {
        b.putLong(at, HEADER + 2);
        b.putInt(at + LEVEL, LibC.SOL_UDP);
        b.putInt(at + TYPE, LibC.UDP_SEGMENT);
        b.putShort(at + HEADER, (short) size);
        return SPACE;
    }

    /**
     * The segment size in a received {@code UDP_GRO} message at {@code at}, whose buffer the kernel filled with
     * {@code controlLength} bytes; 0 when there is none.
     */
    static int groSize(ByteBuffer b, int at, long controlLength) {
        if (controlLength < HEADER + 4 || b.getLong(at) < HEADER + 4) {
            return 0;
        }
        if (b.getInt(at + LEVEL) != LibC.SOL_UDP || b.getInt(at + TYPE) != LibC.UDP_GRO) {
            return 0;
        }
        return b.getInt(at + HEADER);
    }
}
