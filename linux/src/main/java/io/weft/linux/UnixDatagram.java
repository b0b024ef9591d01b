package io.weft.linux;

import io.weft.core.WeftException;
import java.nio.charset.StandardCharsets;
import jnr.ffi.Pointer;

/**
 * Sends one datagram to a unix datagram socket, as sd_notify does: a fresh socket per message, connected to
 * the path (a leading {@code @} names the abstract namespace), a send that never blocks, and the socket
 * closed again. Stateless; thread-safe.
 */
public final class UnixDatagram {
    /** The size of {@code sun_path}; a path needs one byte less, for its NUL. */
    public static final int SUN_PATH_MAX = 108;
    private static final int SUN_PATH = 2;

    private UnixDatagram() {
    }

    /**
     * Sends {@code message} to the socket at {@code path}.
     *
     * @throws WeftException naming the call, the path and errno when the path is too long, nobody listens
     *                       there, or the listener's queue is full
     */
    public static void send(Syscalls sys, String path, byte[] message) {
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        if (name.length == 0 || name.length >= SUN_PATH_MAX) {
            throw new WeftException("unix socket path \"" + path + "\" is " + name.length + " bytes: it must be 1 to "
                    + (SUN_PATH_MAX - 1));
        }
        boolean isAbstract = name[0] == '@';
        int length = SUN_PATH + name.length + (isAbstract ? 0 : 1);
        Pointer address = sys.memory(SUN_PATH + SUN_PATH_MAX);
        address.putShort(0, (short) LibC.AF_UNIX);
        address.put(SUN_PATH, name, 0, name.length);
        if (isAbstract) {
            address.putByte(SUN_PATH, (byte) 0);
        }
        LibC libc = sys.libc();
        int fd = libc.socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        if (fd < 0) {
            throw sys.failure("socket(AF_UNIX, SOCK_DGRAM)", sys.errno(), "check the process may open sockets");
        }
        try {
            if (libc.connect(fd, address, length) < 0) {
                throw sys.failure("connect to unix socket " + path, sys.errno(), "check that a process listens there");
            }
            Pointer buffer = sys.memory(Math.max(1, message.length));
            buffer.put(0, message, 0, message.length);
            if (libc.send(fd, buffer, message.length, LibC.MSG_DONTWAIT) < 0) {
                throw sys.failure("send to unix socket " + path, sys.errno(), "check that its listener reads");
            }
        } catch (RuntimeException e) {
            int errno = sys.close(fd);
            if (errno != 0) {
                e.addSuppressed(sys.failure("close unix socket for " + path, errno, "nothing to do"));
            }
            throw e;
        }
        sys.closeChecked(fd, "unix socket for " + path, "the message was sent; nothing to do");
    }
}
