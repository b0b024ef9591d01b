package io.weft.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * One received netlink message: the header's type, flags, sequence number and port id, and its payload (the
 * family's fixed header, then attributes). {@link #parse} splits a datagram into messages and never throws on
 * a malformed one: a length that does not fit ends the datagram. Immutable (the payload is a private copy).
 */
record NetlinkMessage(int type, int flags, int seq, int pid, byte[] payload) {
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;

    /** The messages in {@code datagram[0, length)}, in order; a truncated or malformed tail is left out. */
    static List<NetlinkMessage> parse(byte[] datagram, int length) {
        List<NetlinkMessage> out = new ArrayList<>();
        ByteBuffer b = ByteBuffer.wrap(datagram, 0, length).order(ByteOrder.nativeOrder());
        int offset = 0;
        while (length - offset >= NetlinkWriter.HEADER_SIZE) {
            int len = b.getInt(offset);
            if (len < NetlinkWriter.HEADER_SIZE || len > length - offset) {
                break;
            }
            byte[] payload = new byte[len - NetlinkWriter.HEADER_SIZE];
            System.arraycopy(datagram, offset + NetlinkWriter.HEADER_SIZE, payload, 0, payload.length);
            out.add(new NetlinkMessage(b.getShort(offset + 4) & 0xffff, b.getShort(offset + 6) & 0xffff,
                    b.getInt(offset + 8), b.getInt(offset + 12), payload));
            offset += NetlinkWriter.align(len);
        }
        return out;
    }

    /** The payload in host order, for reading the fixed header. */
    ByteBuffer body() {
        return ByteBuffer.wrap(payload).order(ByteOrder.nativeOrder());
    }

    /** The attributes after a fixed header of {@code headerSize} bytes. */
    NetlinkAttributes attributes(int headerSize) {
        return NetlinkAttributes.parse(payload, headerSize, payload.length);
    }
}
