package io.weft.backend.udp;

/**
 * The byte layout of {@code struct mmsghdr} (a {@code struct msghdr} and its {@code msg_len}), {@code struct
 * iovec} and {@code struct sockaddr_in} on LP64 Linux, checked against the C headers with {@code offsetof}:
 * what {@link PacketBatch} and {@link SendVector} write for {@code recvmmsg} and {@code sendmmsg}. Constants only.
 */
final class MsgHdr {
    static final int SIZE = 64;
    static final int NAME = 0;
    static final int NAMELEN = 8;
    static final int IOV = 16;
    static final int IOVLEN = 24;
    static final int CONTROL = 32;
    static final int CONTROLLEN = 40;
    /** {@code msg_len}: what recvmmsg received or sendmmsg sent for the entry. */
    static final int LEN = 56;
    static final int IOVEC = 16;
    static final int SOCKADDR_IN = 16;

    private MsgHdr() {
    }
}
