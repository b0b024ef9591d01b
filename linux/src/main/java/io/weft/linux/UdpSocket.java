package io.weft.linux;

import io.weft.core.model.Ipv4;
import java.lang.ref.Reference;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The UDP socket peers send to: bound to the external interface address and {@code Backend.Port}, with
 * enlarged buffers and a send timeout. Receives are non-blocking (after a {@link Poller} wait); sends
 * block for at most {@link #SEND_TIMEOUT_SECONDS}, which pushes back on the TUN queue instead of dropping.
 * Bound by the udp backend's data path when it prepares (so a taken port fails before any lease), and owned
 * by it until the network it starts takes it over; the descriptor is shared by the two forwarding threads,
 * which the kernel allows.
 */
public final class UdpSocket implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(UdpSocket.class);
    /**
     * 4 MiB each way. The default (about 208 KiB) holds some 140 full-size datagrams, about 1.7 ms at
     * 1 Gbit/s: one scheduling delay of the receiving thread on a busy host overflows it and TCP inside the
     * tunnel sees loss. 4 MiB rides out about 30 ms. SO_RCVBUFFORCE passes net.core.rmem_max (we have
     * CAP_NET_ADMIN); without the capability the plain option is capped by the sysctl.
     */
    public static final int BUFFER_BYTES = 4 << 20;
    public static final int SEND_TIMEOUT_SECONDS = 1;

    private final Syscalls sys;
    private final int fd;
    private final String description;
    private boolean closed;

    private UdpSocket(Syscalls sys, int fd, String description) {
        this.sys = sys;
        this.fd = fd;
        this.description = description;
    }

    public static UdpSocket open(Syscalls sys, int address, int port) {
        return open(sys, address, port, false);
    }

    /**
     * As {@link #open(Syscalls, int, int)}; with {@code reusePort}, several sockets (one per queue) bind the same
     * address and port ({@code SO_REUSEPORT}) and the kernel spreads incoming flows over them.
     */
    public static UdpSocket open(Syscalls sys, int address, int port, boolean reusePort) {
        LibC libc = sys.libc();
        String description = Ipv4.format(address) + ":" + port;
        int fd = libc.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw sys.failure("socket(AF_INET, SOCK_DGRAM) for " + description, sys.errno(),
                    "check the IPv4 stack is enabled");
        }
        UdpSocket socket = new UdpSocket(sys, fd, description);
        try {
            socket.enlargeBuffer(LibC.SO_RCVBUFFORCE, LibC.SO_RCVBUF, "receive");
            socket.enlargeBuffer(LibC.SO_SNDBUFFORCE, LibC.SO_SNDBUF, "send");
            Pointer timeval = sys.memory(16);
            timeval.putLong(0, SEND_TIMEOUT_SECONDS);
            socket.setOption(LibC.SO_SNDTIMEO, timeval, 16, "SO_SNDTIMEO");
            if (reusePort && !socket.trySetInt(LibC.SOL_SOCKET, LibC.SO_REUSEPORT, 1)) {
                throw sys.failure("setsockopt SO_REUSEPORT on UDP " + description, sys.errno(),
                        "set Backend.Queues to 1");
            }
            Pointer name = sys.memory(16);
            Syscalls.putSockaddrIn(name, 0, address, port);
            if (libc.bind(fd, name, 16) < 0) {
                int errno = sys.errno();
                throw sys.failure("bind UDP " + description, errno, switch (errno) {
                    case LibC.EADDRINUSE -> "another process uses port " + port
                            + ": stop it or set Backend.Port to a free port on every host";
                    case LibC.EADDRNOTAVAIL -> Ipv4.format(address)
                            + " is not an address of this host: pick the interface with --iface";
                    default -> Syscalls.fixFor(errno, "check --iface and Backend.Port");
                });
            }
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
        LOG.info("udp socket bound address={} receiveBuffer={} sendBuffer={}", description,
                socket.getIntOption(LibC.SO_RCVBUF), socket.getIntOption(LibC.SO_SNDBUF));
        return socket;
    }

    /**
     * Turns on UDP GRO: a train of same-sized datagrams from one sender may arrive as one buffer, with a
     * {@code UDP_GRO} control message giving the segment size. False when the kernel lacks it.
     */
    public boolean enableGro() {
        return trySetInt(LibC.SOL_UDP, LibC.UDP_GRO, 1);
    }

    /**
     * Whether this socket can send UDP GSO trains ({@code UDP_SEGMENT} control messages): probed by setting the
     * socket's default segment size to 0 (none), which a kernel without UDP GSO refuses.
     */
    public boolean supportsGso() {
        return trySetInt(LibC.SOL_UDP, LibC.UDP_SEGMENT, 0);
    }

    private boolean trySetInt(int level, int option, int v) {
        Pointer value = sys.memory(4);
        value.putInt(0, v);
        if (sys.libc().setsockopt(fd, level, option, value, 4) == 0) {
            return true;
        }
        LOG.debug("setsockopt level={} option={} on UDP {} refused: {}", level, option, description,
                sys.describe(sys.errno()));
        return false;
    }

    private void enlargeBuffer(int forced, int plain, String which) {
        Pointer value = sys.memory(4);
        value.putInt(0, BUFFER_BYTES);
        if (sys.libc().setsockopt(fd, LibC.SOL_SOCKET, forced, value, 4) == 0) {
            return;
        }
        int errno = sys.errno();
        LOG.debug("forcing the {} buffer failed ({}); asking within the sysctl limit", which, sys.describe(errno));
        setOption(plain, value, 4, which + " buffer size");
    }

    private void setOption(int option, Pointer value, int length, String what) {
        if (sys.libc().setsockopt(fd, LibC.SOL_SOCKET, option, value, length) < 0) {
            throw sys.failure("setsockopt " + what + " on UDP " + description, sys.errno(),
                    "check the kernel supports it");
        }
    }

    private int getIntOption(int option) {
        Pointer value = sys.memory(4);
        Pointer length = sys.memory(4);
        length.putInt(0, 4);
        if (sys.libc().getsockopt(fd, LibC.SOL_SOCKET, option, value, length) < 0) {
            throw sys.failure("getsockopt on UDP " + description, sys.errno(), "check the socket is open");
        }
        return value.getInt(0);
    }

    /**
     * Attaches a classic BPF program to this socket's {@code SO_REUSEPORT} group
     * ({@code SO_ATTACH_REUSEPORT_CBPF}): for each datagram the kernel runs it on the UDP payload and delivers to
     * the group's socket whose index (in bind order) it returns; an index out of range falls back to the kernel's
     * hash of the outer addresses. False when the kernel refuses it (then that hash spreads as before).
     */
    public boolean attachReusePortProgram(ClassicBpf program) {
        Pointer filter = sys.memory(program.length() * ClassicBpf.INSTRUCTION_BYTES);
        for (int i = 0; i < program.length(); i++) {
            long[] insn = program.instruction(i);
            long at = (long) i * ClassicBpf.INSTRUCTION_BYTES;
            filter.putShort(at, (short) insn[0]);
            filter.putByte(at + 2, (byte) insn[1]);
            filter.putByte(at + 3, (byte) insn[2]);
            filter.putInt(at + 4, (int) insn[3]);
        }
        Pointer fprog = sys.memory(16);
        fprog.putShort(0, (short) program.length());
        fprog.putAddress(8, filter.address());
        boolean attached = sys.libc().setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_ATTACH_REUSEPORT_CBPF, fprog, 16) == 0;
        Reference.reachabilityFence(filter);
        if (attached) {
            return true;
        }
        LOG.info("the kernel refused a reuseport program on UDP {} ({}): it spreads datagrams by its own hash",
                description, sys.describe(sys.errno()));
        return false;
    }

    public int fd() {
        return fd;
    }

    /** Closes the socket. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sys.closeChecked(fd, "UDP socket " + description, "nothing to do; it is released on exit");
    }
}
