package io.weft.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Builds one netlink request: the 16-byte {@code nlmsghdr}, the family's fixed header, then attributes
 * ({@code nlattr}: 16-bit length and type, payload, padding to 4 bytes), which may nest. Header fields and
 * integer attributes are in host order, as the kernel reads them; addresses are written as the caller gives
 * their bytes (network order). Used by {@link RtRequests}; one request per instance, not thread-safe.
 */
final class NetlinkWriter {
    static final int HEADER_SIZE = 16;
    static final int ALIGN = 4;
    private ByteBuffer buffer = ByteBuffer.allocate(256).order(ByteOrder.nativeOrder());

    /** Starts a message of {@code type} with {@code flags}; the length and sequence number are set by {@link #finish}. */
    NetlinkWriter(int type, int flags) {
        buffer.putInt(0).putShort((short) type).putShort((short) flags).putInt(0).putInt(0);
    }

    static int align(int length) {
        return (length + ALIGN - 1) & ~(ALIGN - 1);
    }

    NetlinkWriter u8(int value) {
        room(1);
        buffer.put((byte) value);
        return this;
    }

    NetlinkWriter u16(int value) {
        room(2);
        buffer.putShort((short) value);
        return this;
    }

    NetlinkWriter u32(int value) {
        room(4);
        buffer.putInt(value);
        return this;
    }

    /** An attribute with {@code payload} as it is. */
    NetlinkWriter attr(int type, byte[] payload) {
        int length = 4 + payload.length;
        room(align(length));
        buffer.putShort((short) length).putShort((short) type).put(payload);
        pad();
        return this;
    }

    NetlinkWriter attrU8(int type, int value) {
        return attr(type, new byte[] {(byte) value});
    }

    NetlinkWriter attrU32(int type, int value) {
        return attr(type, ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(value).array());
    }

    /** A 16-bit value in network order, e.g. {@code IFLA_VXLAN_PORT}. */
    NetlinkWriter attrBe16(int type, int value) {
        return attr(type, new byte[] {(byte) (value >>> 8), (byte) value});
    }

    /** An IPv4 address ({@code struct in_addr}, network order). */
    NetlinkWriter attrIpv4(int type, int address) {
        return attr(type, new byte[] {(byte) (address >>> 24), (byte) (address >>> 16), (byte) (address >>> 8),
            (byte) address});
    }

    /** A NUL-terminated string, e.g. {@code IFLA_IFNAME}. */
    NetlinkWriter attrString(int type, String value) {
        byte[] text = value.getBytes(StandardCharsets.US_ASCII);
        return attr(type, Arrays.copyOf(text, text.length + 1));
    }

    /** A string without its NUL, as iproute2 writes {@code IFLA_INFO_KIND}. */
    NetlinkWriter attrText(int type, String value) {
        return attr(type, value.getBytes(StandardCharsets.US_ASCII));
    }

    /** A flag attribute: present, with no payload (e.g. {@code IFLA_VXLAN_GBP}). */
    NetlinkWriter attrFlag(int type) {
        return attr(type, new byte[0]);
    }

    /** Opens a nested attribute; returns its offset for {@link #endNested}. */
    int beginNested(int type) {
        room(4);
        int start = buffer.position();
        buffer.putShort((short) 0).putShort((short) type);
        return start;
    }

    void endNested(int start) {
        buffer.putShort(start, (short) (buffer.position() - start));
    }

    /** The message with its length and {@code seq} filled in. */
    byte[] finish(int seq) {
        byte[] out = Arrays.copyOf(buffer.array(), buffer.position());
        ByteBuffer view = ByteBuffer.wrap(out).order(ByteOrder.nativeOrder());
        view.putInt(0, out.length);
        view.putInt(8, seq);
        return out;
    }

    private void pad() {
        while ((buffer.position() & (ALIGN - 1)) != 0) {
            buffer.put((byte) 0);
        }
    }

    private void room(int bytes) {
        if (buffer.remaining() < bytes) {
            ByteBuffer bigger = ByteBuffer.allocate(Math.max(buffer.capacity() * 2, buffer.position() + bytes))
                    .order(ByteOrder.nativeOrder());
            buffer.flip();
            bigger.put(buffer);
            buffer = bigger;
        }
    }
}
