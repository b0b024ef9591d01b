package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * A direct, big-endian buffer like the data path's batch buffer, filled with a canary pattern, holding a
 * packet at a non-zero offset. The fuzz targets hand the code a {@link #view} whose limit is the packet's end,
 * so a read or write past the packet throws; {@link #assertCanaryIntact} shows nothing was written outside
 * the packet; and running the same input over two fills ({@link #FILL_A}, {@link #FILL_B}) and comparing the
 * results shows no decision depended on a byte before the packet. Fills and checks are bulk copies and
 * compares, so fuzzing spends its time in the code under test. Not thread-safe.
 */
final class CanaryBuffer {
    static final byte FILL_A = (byte) 0xa5;
    static final byte FILL_B = (byte) 0x5a;
    /** The largest buffer: a batch of 128 slots of 2 KB, or a 64 KB packet with room around it. */
    static final int MAX_CAPACITY = 1 << 18;
    private static final byte[] PATTERN_A = pattern(FILL_A);
    private static final byte[] PATTERN_B = pattern(FILL_B);
    private final ByteBuffer buffer;
    private final byte[] pattern;
    private final int off;
    private final int length;

    /** {@code packet} at {@code off}, with {@code tail} canary bytes after it. */
    CanaryBuffer(byte[] packet, int off, int tail, byte fill) {
        this(off + packet.length + tail, off, packet.length, fill);
        buffer.put(off, packet);
    }

    private CanaryBuffer(int capacity, int off, int length, byte fill) {
        if (capacity > MAX_CAPACITY) {
            throw new IllegalArgumentException("capacity " + capacity + " > " + MAX_CAPACITY);
        }
        this.buffer = ByteBuffer.allocateDirect(capacity).order(ByteOrder.BIG_ENDIAN);
        this.pattern = fill == FILL_A ? PATTERN_A : PATTERN_B;
        this.off = off;
        this.length = length;
        buffer.put(0, pattern, 0, capacity);
    }

    /** {@code capacity} bytes of canary and no packet: an output area. */
    static CanaryBuffer area(int capacity, byte fill) {
        return new CanaryBuffer(capacity, 0, 0, fill);
    }

    private static byte[] pattern(byte fill) {
        byte[] p = new byte[MAX_CAPACITY];
        for (int i = 0; i < p.length; i++) {
            p[i] = (byte) (fill ^ (i * 0x3b));
        }
        return p;
    }

    int offset() {
        return off;
    }

    int length() {
        return length;
    }

    /** The whole buffer. */
    ByteBuffer buffer() {
        return buffer;
    }

    /** The buffer up to the packet's end: absolute reads and writes past it throw IndexOutOfBoundsException. */
    ByteBuffer view() {
        return view(off + length);
    }

    /** The buffer up to {@code limit}. */
    ByteBuffer view(int limit) {
        ByteBuffer v = buffer.duplicate().order(ByteOrder.BIG_ENDIAN);
        v.limit(limit);
        return v;
    }

    /** Whether byte {@code i} still holds the canary. */
    boolean isCanary(int i) {
        return buffer.get(i) == pattern[i];
    }

    /** The packet's bytes now. */
    byte[] packet() {
        return bytes(off, length);
    }

    /** {@code count} bytes from {@code from}, copied out. */
    byte[] bytes(int from, int count) {
        byte[] out = new byte[count];
        buffer.get(from, out);
        return out;
    }

    /** Fails when a byte outside {@code [off, off + length)} differs from the canary. */
    void assertCanaryIntact() {
        assertCanaryIntactOutside(off, length);
    }

    /** Fails when a byte outside {@code [from, from + count)} differs from the canary. */
    void assertCanaryIntactOutside(int from, int count) {
        byte[] now = bytes(0, buffer.capacity());
        int before = Arrays.mismatch(now, 0, from, pattern, 0, from);
        if (before >= 0) {
            fail("byte " + before + " before [" + from + ", " + (from + count) + ") was written");
        }
        int end = from + count;
        int after = Arrays.mismatch(now, end, now.length, pattern, end, now.length);
        if (after >= 0) {
            fail("byte " + (end + after) + " after [" + from + ", " + end + ") was written");
        }
    }

    /**
     * Fails when a byte differs from the canary outside the ranges {@code [start + i * stride, + length)} for
     * {@code i} below {@code count}: slots of an output area, each written only at its start.
     */
    void assertCanaryIntactOutsideSlots(int start, int stride, int count, int length) {
        byte[] now = bytes(0, buffer.capacity());
        for (int i = 0; i < count; i++) {
            int at = start + i * stride;
            System.arraycopy(pattern, at, now, at, length);
        }
        int at = Arrays.mismatch(now, 0, now.length, pattern, 0, now.length);
        if (at >= 0) {
            fail("byte " + at + " outside the " + count + " slots of " + length + " bytes from " + start + " was written");
        }
    }

    /** Fails unless the packet's bytes are {@code expected}. */
    void assertPacket(byte[] expected) {
        byte[] now = packet();
        if (!Arrays.equals(expected, now)) {
            assertEquals(HexFormat.of().formatHex(expected), HexFormat.of().formatHex(now));
        }
    }
}
