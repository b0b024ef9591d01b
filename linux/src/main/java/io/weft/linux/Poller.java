package io.weft.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Waits until one descriptor is readable or a wake-up {@link EventFd} is signalled: the only blocking point
 * of a forwarding thread. Its owner stops it by signalling the eventfd, so the wait itself can be long; the
 * timeout is only a bound. Allocation-free. Not thread-safe: one per thread.
 */
public final class Poller {
    private static final int POLLFD = 8;
    private final Syscalls sys;
    private final ByteBuffer pollfds = ByteBuffer.allocateDirect(2 * POLLFD).order(ByteOrder.nativeOrder());
    private final long address = Syscalls.address(pollfds);
    private final String what;

    /**
     * @param fd     the descriptor to wait on
     * @param what   names it in errors, e.g. {@code the TUN device}
     * @param wakeUp the eventfd whose signal ends every wait
     */
    public Poller(Syscalls sys, int fd, String what, EventFd wakeUp) {
        this.sys = sys;
        this.what = what;
        pollfds.putInt(0, fd);
        pollfds.putShort(4, LibC.POLLIN);
        pollfds.putInt(POLLFD, wakeUp.fd());
        pollfds.putShort(POLLFD + 4, LibC.POLLIN);
    }

    /**
     * True when the descriptor is readable (or has an error to read); false when woken, on timeout or on a
     * signal.
     *
     * @param timeoutMillis the longest wait, or -1 for no bound
     */
    public boolean awaitReadable(int timeoutMillis) {
        pollfds.putShort(6, (short) 0);
        pollfds.putShort(POLLFD + 6, (short) 0);
        int ready = sys.libc().poll(address, 2, timeoutMillis);
        if (ready < 0) {
            int errno = sys.errno();
            if (errno == LibC.EINTR) {
                return false;
            }
            throw sys.failure("poll on " + what, errno, "the data path stops; restart weft");
        }
        return ready > 0 && pollfds.getShort(6) != 0;
    }
}
