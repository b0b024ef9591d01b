package io.weft.core.testing;

import java.util.Arrays;

/**
 * Reads a fuzz target's parameters from the front of its input, then hands over the rest (the packet, say).
 * A read past the end gives 0 (or fewer bytes), so every input is a valid one and the seed files stay easy to
 * write: parameter bytes first, packet bytes last. Not thread-safe: one per input.
 */
public final class FuzzInput {
    private final byte[] data;
    private int at;

    public FuzzInput(byte[] data) {
        this.data = data;
    }

    public boolean exhausted() {
        return at >= data.length;
    }

    public int u8() {
        return at < data.length ? data[at++] & 0xff : 0;
    }

    /** Big-endian, as the seed files write it. */
    public int u16() {
        return u8() << 8 | u8();
    }

    public int u32() {
        return u16() << 16 | u16();
    }

    /** Up to {@code n} bytes (fewer at the end of the input). */
    public byte[] bytes(int n) {
        int take = Math.max(0, Math.min(n, data.length - at));
        byte[] out = Arrays.copyOfRange(data, at, at + take);
        at += take;
        return out;
    }

    public byte[] rest() {
        return bytes(data.length - at);
    }
}
