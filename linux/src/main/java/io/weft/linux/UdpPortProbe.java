package io.weft.linux;

import java.nio.ByteBuffer;
import java.time.Duration;
import jnr.ffi.Pointer;

/**
 * Whether a UDP port answers "port unreachable", for {@code weft doctor}: one empty datagram from a connected socket,
 * then a wait for the ICMP error the kernel reports on that socket as {@code ECONNREFUSED} (Java's datagram sockets
 * and channels do not report it reliably). A port where a process listens, or a firewall drops, stays silent.
 * Stateless.
 */
public final class UdpPortProbe {
    private static final int SLICE_MICROS = 50_000;

    private UdpPortProbe() {
    }

    /**
     * @return true when {@code address:port} answered port unreachable within {@code wait}; false for silence, an
     *         answer, or a socket that could not be made
     */
    public static boolean refused(Syscalls sys, int address, int port, Duration wait) {
        LibC libc = sys.libc();
        int fd = libc.socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            return false;
        }
        try {
            Pointer timeval = sys.memory(16);
            timeval.putLong(0, 0);
            timeval.putLong(8, SLICE_MICROS);
            Pointer name = sys.memory(16);
            Syscalls.putSockaddrIn(name, 0, address, port);
            if (libc.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, 16) < 0
                    || libc.connect(fd, name, 16) < 0) {
                return false;
            }
            if (libc.send(fd, sys.memory(1), 0, 0) < 0) {
                return sys.errno() == LibC.ECONNREFUSED;
            }
            ByteBuffer buffer = ByteBuffer.allocateDirect(64);
            long deadline = System.nanoTime() + wait.toNanos();
            while (System.nanoTime() - deadline < 0) {
                if (libc.recv(fd, Syscalls.address(buffer), buffer.capacity(), 0) >= 0) {
                    return false; // something answers on the port
                }
                int errno = sys.errno();
                if (errno == LibC.ECONNREFUSED) {
                    return true;
                }
                if (errno != LibC.EAGAIN && errno != LibC.EINTR) {
                    return false;
                }
            }
            return false;
        } finally {
            sys.close(fd);
        }
    }
}
