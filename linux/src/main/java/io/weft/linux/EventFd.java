package io.weft.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * An eventfd used as a wake-up: {@link #signal()} makes it readable, and it stays readable (nothing reads
 * it), so every {@link Poller} that has it in its poll set returns at once from then on. A forwarding loop
 * is stopped this way rather than by a poll timeout. Owned by whoever opened it; {@link #signal()} is
 * thread-safe and allocation-free, {@link #close()} is not thread-safe.
 */
public final class EventFd implements AutoCloseable {
    private final Syscalls sys;
    private final int fd;
    private final String what;
    private final ByteBuffer one = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder()).putLong(0, 1);
    private final long oneAddress = Syscalls.address(one);
    private boolean closed;

    private EventFd(Syscalls sys, int fd, String what) {
        this.sys = sys;
        this.fd = fd;
        this.what = what;
    }

    /** Opens a non-blocking, close-on-exec eventfd; {@code what} names it in errors. */
    public static EventFd open(Syscalls sys, String what) {
        int fd = sys.libc().eventfd(0, LibC.EFD_NONBLOCK | LibC.EFD_CLOEXEC);
        if (fd < 0) {
            throw sys.failure("eventfd for " + what, sys.errno(), "check the kernel has eventfd (Linux 2.6.27+)");
        }
        return new EventFd(sys, fd, what);
    }

    public int fd() {
        return fd;
    }

    /** Makes the eventfd readable (adds 1 to its counter). */
    public void signal() {
        if (sys.libc().write(fd, oneAddress, 8) != 8) {
            throw sys.failure("write to the eventfd for " + what, sys.errno(), "the waiting thread ends at its poll"
                    + " bound instead");
        }
    }

    /** Closes the eventfd. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        sys.closeChecked(fd, "the eventfd for " + what, "nothing to do; it is released on exit");
    }
}
