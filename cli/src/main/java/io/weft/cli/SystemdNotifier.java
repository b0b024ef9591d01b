package io.weft.cli;

import io.weft.core.WeftException;
import io.weft.core.daemon.DaemonListener;
import io.weft.linux.Syscalls;
import io.weft.linux.UnixDatagram;
import java.nio.charset.StandardCharsets;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tells systemd about the daemon's lifecycle with sd_notify's protocol: a datagram such as
 * {@code READY=1} to the unix socket named by NOTIFY_SOCKET (an {@code @} prefix means the abstract
 * namespace), sent through {@link UnixDatagram} without blocking. Does nothing when NOTIFY_SOCKET is unset.
 * A failed notification is logged, never fatal. Thread-safe: each notification uses its own socket.
 */
final class SystemdNotifier implements DaemonListener {
    private static final Logger LOG = LoggerFactory.getLogger(SystemdNotifier.class);

    private final String socketPath;
    private Syscalls sys;

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
        try {
            UnixDatagram.send(syscalls(), socketPath, message.getBytes(StandardCharsets.UTF_8));
            return true;
        } catch (WeftException e) {
            LOG.warn("sd_notify to {} failed: {}", socketPath, e.getMessage());
            return false;
        }
    }

    private synchronized Syscalls syscalls() {
        if (sys == null) {
            sys = Syscalls.load();
        }
        return sys;
    }
}
