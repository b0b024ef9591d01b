package io.weft.linux;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Waits, with a timeout, until one descriptor is readable: the only blocking point of a forwarding
 * thread, so the thread notices a close within one timeout. Allocation-free. Not thread-safe: one per
 * thread.
 */
public final class Poller {
    private final Syscalls sys;
    private final ByteBuffer pollfd = ByteBuffer.allocateDirect(8).order(ByteOrder.nativeOrder());
    private final long address = Syscalls.address(pollfd);
    private final String what;

    public Poller(Syscalls sys, int fd, String what) {
        this.sys = sys;
        this.what = what;
        pollfd.putInt(0, fd);
        pollfd.putShort(4, LibC.POLLIN);
    }

    /** True when the descriptor is readable (or has an error to read); false on timeout or signal. */
    public boolean awaitReadable(int timeoutMillis) {
        pollfd.putShort(6, (short) 0);
        int ready = sys.libc().poll(address, 1, timeoutMillis);
        if (ready < 0) {
            int errno = sys.errno();
            if (errno == LibC.EINTR) {
                return false;
            }
            throw sys.failure("poll on " + what, errno, "the data path stops; restart weft");
        }
        return ready > 0;
    }
}
