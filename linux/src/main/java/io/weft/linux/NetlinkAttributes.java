package io.weft.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The attributes of a received message (or of a nested attribute), by type; the nested and byte-order flag bits
 * are masked off the type. Parsing never throws on malformed input: an attribute whose length does not fit ends
 * the list. Accessors return empty when an attribute is absent or too short. Immutable.
 */
final class NetlinkAttributes {
    private static final int TYPE_MASK = 0x3fff;
    private final Map<Integer, byte[]> byType;

    private NetlinkAttributes(Map<Integer, byte[]> byType) {
        this.byType = byType;
    }

    static NetlinkAttributes parse(byte[] data, int from, int to) {
        Map<Integer, byte[]> map = new HashMap<>();
        ByteBuffer b = ByteBuffer.wrap(data).order(ByteOrder.nativeOrder());
        int offset = from;
        while (to - offset >= 4) {
            int len = b.getShort(offset) & 0xffff;
            int type = b.getShort(offset + 2) & TYPE_MASK;
            if (len < 4 || len > to - offset) {
                break;
            }
            map.putIfAbsent(type, Arrays.copyOfRange(data, offset + 4, offset + len));
            offset += NetlinkWriter.align(len);
        }
        return new NetlinkAttributes(map);
    }

    boolean has(int type) {
        return byType.containsKey(type);
    }

    Optional<byte[]> bytes(int type) {
        byte[] v = byType.get(type);
        return v == null ? Optional.empty() : Optional.of(v.clone());
    }

    Optional<Integer> u8(int type) {
        byte[] v = byType.get(type);
        return v == null || v.length < 1 ? Optional.empty() : Optional.of(v[0] & 0xff);
    }

    Optional<Integer> u32(int type) {
        byte[] v = byType.get(type);
        return v == null || v.length < 4 ? Optional.empty()
                : Optional.of(ByteBuffer.wrap(v).order(ByteOrder.nativeOrder()).getInt());
    }

    /** A 16-bit value in network order. */
    Optional<Integer> be16(int type) {
        byte[] v = byType.get(type);
        return v == null || v.length < 2 ? Optional.empty() : Optional.of(((v[0] & 0xff) << 8) | (v[1] & 0xff));
    }

    /** A 4-byte IPv4 address (network order) as an int; empty for another length (e.g. an IPv6 address). */
    Optional<Integer> ipv4(int type) {
        byte[] v = byType.get(type);
        return v == null || v.length != 4 ? Optional.empty()
                : Optional.of(((v[0] & 0xff) << 24) | ((v[1] & 0xff) << 16) | ((v[2] & 0xff) << 8) | (v[3] & 0xff));
    }

    /** A NUL-terminated (or unterminated) ASCII string. */
    Optional<String> string(int type) {
        byte[] v = byType.get(type);
        if (v == null) {
            return Optional.empty();
        }
        int end = 0;
        while (end < v.length && v[end] != 0) {
            end++;
        }
        return Optional.of(new String(v, 0, end, StandardCharsets.US_ASCII));
    }

    /** The attributes nested in attribute {@code type}, or none. */
    NetlinkAttributes nested(int type) {
        byte[] v = byType.get(type);
        return v == null ? new NetlinkAttributes(Map.of()) : parse(v, 0, v.length);
    }
}
