package io.weft.linux;

import io.weft.core.WeftException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;
import jnr.ffi.Pointer;

/**
 * A {@code NETLINK_ROUTE} socket: sends one request at a time and reads its answer, an acknowledgement
 * ({@link #request}) or a multi-part dump ({@link #dump}). Every read waits at most the socket's receive
 * timeout; answers to an earlier request (another sequence number) are skipped. Asks the kernel for its
 * extended-ack text, and for acks without the request echoed back. Owned by {@link Rtnetlink}; thread-safe
 * (one request at a time).
 */
final class NetlinkSocket implements AutoCloseable {
    static final int NETLINK_ROUTE = 0;
    private static final int SOL_NETLINK = 270;
    private static final int NETLINK_CAP_ACK = 10;
    private static final int NETLINK_EXT_ACK = 11;
    private static final int BUFFER_SIZE = 1 << 16;
    /** A dump the kernel marks interrupted (the table changed under it) is asked again, this often at most. */
    private static final int DUMP_ATTEMPTS = 5;

    private final Syscalls sys;
    private final int fd;
    private final Duration timeout;
    private final ByteBuffer receive = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final long receiveAddress = Syscalls.address(receive);
    private final ByteBuffer send = ByteBuffer.allocateDirect(BUFFER_SIZE);
    private final long sendAddress = Syscalls.address(send);
    private final byte[] datagram = new byte[BUFFER_SIZE];
    private int seq = (int) (System.nanoTime() & 0x3fffffff);
    private boolean closed;

    private NetlinkSocket(Syscalls sys, int fd, Duration timeout) {
        this.sys = sys;
        this.fd = fd;
        this.timeout = timeout;
    }

    /** Opens and binds the socket; each answer is waited for at most {@code timeout}. */
    static NetlinkSocket open(Syscalls sys, Duration timeout) {
        int fd = sys.libc().socket(LibC.AF_NETLINK, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, NETLINK_ROUTE);
        if (fd < 0) {
            int errno = sys.errno();
            throw sys.failure("socket(AF_NETLINK, NETLINK_ROUTE)", errno, Syscalls.fixFor(errno,
                    "check the kernel has rtnetlink"));
        }
        try {
            Pointer one = sys.memory(4);
            one.putInt(0, 1);
            // Both are optional (Linux 4.12+ for the text): without them errors still carry errno.
            sys.libc().setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, one, 4);
            sys.libc().setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, one, 4);
            Pointer tv = sys.memory(16);
            tv.putLong(0, timeout.toSeconds());
            tv.putLong(8, timeout.toMillisPart() * 1000L);
            if (sys.libc().setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, tv, 16) < 0) {
                throw sys.failure("setsockopt(SO_RCVTIMEO) on the netlink socket", sys.errno(),
                        "check the kernel supports receive timeouts on netlink sockets");
            }
            Pointer address = sys.memory(12);
            address.putShort(0, (short) LibC.AF_NETLINK);
            if (sys.libc().bind(fd, address, 12) < 0) {
                int errno = sys.errno();
                throw sys.failure("bind of the netlink socket", errno, Syscalls.fixFor(errno,
                        "check the process may open netlink sockets"));
            }
            return new NetlinkSocket(sys, fd, timeout);
        } catch (RuntimeException e) {
            sys.close(fd);
            throw e;
        }
    }

    /** The next sequence number; requests are built with it. */
    synchronized int nextSeq() {
        seq = (seq + 1) & 0x7fffffff;
        return seq;
    }

    /**
     * Sends {@code request} (built with {@link #nextSeq()}) and waits for its acknowledgement.
     *
     * @param what the request in words, for a failure to send or receive
     * @return the kernel's answer: errno 0 when it did what was asked
     */
    synchronized RtDecoder.Ack request(byte[] request, String what) {
        int expected = seqOf(request);
        write(request, what);
        while (true) {
            for (NetlinkMessage m : read(what)) {
                if (m.seq() == expected && m.type() == NetlinkMessage.NLMSG_ERROR) {
                    return RtDecoder.ack(m);
                }
            }
        }
    }

    /**
     * Runs a dump and returns its messages (without the closing {@code NLMSG_DONE}).
     *
     * @param request builds the dump request for a sequence number
     * @param what    the dump in words, e.g. {@code list routes}
     * @throws WeftException when the kernel refuses the dump or it is interrupted every time
     */
    synchronized List<NetlinkMessage> dump(IntFunction<byte[]> request, String what) {
        for (int attempt = 0; attempt < DUMP_ATTEMPTS; attempt++) {
            byte[] message = request.apply(nextSeq());
            int expected = seqOf(message);
            write(message, what);
            List<NetlinkMessage> out = new ArrayList<>();
            boolean interrupted = false;
            boolean done = false;
            while (!done) {
                for (NetlinkMessage m : read(what)) {
                    if (m.seq() != expected) {
                        continue;
                    }
                    interrupted |= (m.flags() & RtRequests.NLM_F_DUMP_INTR) != 0;
                    if (m.type() == NetlinkMessage.NLMSG_DONE) {
                        done = true;
                    } else if (m.type() == NetlinkMessage.NLMSG_ERROR) {
                        RtDecoder.Ack ack = RtDecoder.ack(m);
                        throw Rtnetlink.failure(what, ack, "check the kernel's message");
                    } else if (m.type() != NetlinkMessage.NLMSG_NOOP) {
                        out.add(m);
                    }
                }
            }
            if (!interrupted) {
                return out;
            }
        }
        throw new WeftException(what + " failed: the kernel's tables changed during each of " + DUMP_ATTEMPTS
                + " dumps; it is tried again at the next resync");
    }

    private static int seqOf(byte[] request) {
        return ByteBuffer.wrap(request).order(java.nio.ByteOrder.nativeOrder()).getInt(8);
    }

    private void write(byte[] request, String what) {
        if (closed) {
            throw new IllegalStateException("the netlink socket is closed");
        }
        send.clear();
        send.put(request);
        long n = sys.libc().write(fd, sendAddress, request.length);
        if (n != request.length) {
            int errno = sys.errno();
            throw sys.failure("sending \"" + what + "\" to the kernel", errno, Syscalls.fixFor(errno,
                    "check the netlink socket is usable"));
        }
    }

    /** One datagram's messages; waits at most the receive timeout. */
    private List<NetlinkMessage> read(String what) {
        while (true) {
            long n = sys.libc().recv(fd, receiveAddress, BUFFER_SIZE, LibC.MSG_TRUNC);
            if (n < 0) {
                int errno = sys.errno();
                if (errno == LibC.EINTR) {
                    continue;
                }
                if (errno == LibC.EAGAIN) {
                    throw new WeftException(what + " failed: the kernel did not answer within "
                            + timeout.toMillis() + " ms; it is tried again at the next resync");
                }
                throw sys.failure("receiving the answer to \"" + what + "\"", errno, "check the netlink socket is usable");
            }
            if (n > BUFFER_SIZE) {
                throw new WeftException(what + " failed: the kernel's answer of " + n + " bytes is larger than the "
                        + BUFFER_SIZE + "-byte buffer; report this as a weft bug");
            }
            receive.get(0, datagram, 0, (int) n);
            return NetlinkMessage.parse(datagram, (int) n);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        sys.closeChecked(fd, "the netlink socket", "nothing to do; it is released on exit");
    }
}
