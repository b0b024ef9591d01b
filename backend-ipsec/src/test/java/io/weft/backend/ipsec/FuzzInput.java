package io.weft.backend.ipsec;

import java.util.Arrays;

/**
 * Reads a fuzz target's parameters from the front of its input, then hands over the rest (the packet, say).
 * A read past the end gives 0 (or fewer bytes), so every input is a valid one and the seed files stay easy to
 * write: parameter bytes first, packet bytes last. Not thread-safe: one per input.
 */
final class FuzzInput {
    private final byte[] data;
    private int at;

    FuzzInput(byte[] data) {
        this.data = data;
    }

    boolean exhausted() {
        return at >= data.length;
    }

    int u8() {
        return at < data.length ? data[at++] & 0xff : 0;
    }

    /** Big-endian, as the seed files write it. */
    int u16() {
        return u8() << 8 | u8();
    }

    int u32() {
        return u16() << 16 | u16();
    }

    /** Up to {@code n} bytes (fewer at the end of the input). */
    byte[] bytes(int n) {
        int take = Math.max(0, Math.min(n, data.length - at));
        byte[] out = Arrays.copyOfRange(data, at, at + take);
        at += take;
        return out;
    }

    byte[] rest() {
        return bytes(data.length - at);
    }
}
