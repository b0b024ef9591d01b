package io.weft.cli;

import io.weft.core.daemon.DaemonListener;
import java.nio.charset.StandardCharsets;
import jnr.ffi.LibraryLoader;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd about the daemon's lifecycle with sd_notify's protocol: a datagram such as
 * {@code READY=1} to the unix socket named by NOTIFY_SOCKET (an {@code @} prefix means the abstract
 * namespace). Does nothing when NOTIFY_SOCKET is unset. A failed notification is logged, never fatal.
 * Thread-safe: each notification uses its own socket.
 */
final class SystemdNotifier implements DaemonListener {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);
    private static final int AF_UNIX = 1;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int SUN_PATH_MAX = 108;
    /** Never block the daemon on a full or absent listener. */
    private static final int MSG_DONTWAIT = 0x40;

    /** The three libc calls sd_notify needs. */
    public interface LibC {
        int socket(int domain, int type, int protocol);

        long sendto(int fd, byte[] buf, long len, int flags, byte[] addr, int addrLen);

        int close(int fd);
    }

    private final String socketPath;
    private LibC libc;

    SystemdNotifier(String socketPath) {
        this.socketPath = socketPath == null || socketPath.isEmpty() ? null : socketPath;
    }

    @Override
    public void ready() {
        notify("READY=1\nSTATUS=holding lease, data path up");
    }

    @Override
    public void stopping() {
        notify("STOPPING=1");
    }

    /** Sends one notification; true when it was delivered. */
    boolean notify(String message) {
        if (socketPath == null) {
            return false;
        }
        byte[] path = socketPath.getBytes(StandardCharsets.UTF_8);
        if (path.length >= SUN_PATH_MAX) {
            LOG.warn("NOTIFY_SOCKET is too long to use length={}", path.length);
            return false;
        }
        byte[] addr = new byte[2 + path.length + (path[0] == '@' ? 0 : 1)];
        addr[0] = (byte) AF_UNIX; // sa_family, little-endian short
        System.arraycopy(path, 0, addr, 2, path.length);
        if (path[0] == '@') {
            addr[2] = 0; // abstract namespace
        }
        LibC c = libc();
        int fd = c.socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0) {
            LOG.warn("sd_notify socket() failed errno={}", errno());
            return false;
        }
        try {
            byte[] msg = message.getBytes(StandardCharsets.UTF_8);
            long sent = c.sendto(fd, msg, msg.length, MSG_DONTWAIT, addr, addr.length);
            if (sent < 0) {
                LOG.warn("sd_notify to {} failed errno={}", socketPath, errno());
                return false;
            }
            return true;
        } finally {
            c.close(fd);
        }
    }

    private synchronized LibC libc() {
        if (libc == null) {
            libc = LibraryLoader.create(LibC.class).load("c");
        }
        return libc;
    }

    private static int errno() {
        return jnr.ffi.Runtime.getSystemRuntime().getLastError();
    }
}
