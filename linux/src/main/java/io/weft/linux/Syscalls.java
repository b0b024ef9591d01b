package io.weft.linux;

import io.weft.core.WeftException;
import java.nio.ByteBuffer;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * The checked face of {@link LibC}: set-up calls that turn a failed return into a {@link WeftException}
 * naming the call, the object, errno's text and a fix, plus the few helpers the hot path needs (errno,
 * addresses of direct buffers). One instance per backend, loaded where the data path is built; thread-safe.
 */
public final class Syscalls {
    private final LibC libc;
    private final Runtime runtime;

    /** For tests that wrap {@code libc}; production code uses {@link #load()}. */
    public Syscalls(LibC libc, Runtime runtime) {
        this.libc = libc;
        this.runtime = runtime;
    }

    /** Loads libc; fails unless this is 64-bit Linux, which the raw-address calls in {@link LibC} assume. */
    public static Syscalls load() {
        String os = System.getProperty("os.name", "");
        if (!os.toLowerCase(java.util.Locale.ROOT).contains("linux")) {
            throw new WeftException("weft's data paths need Linux (TUN devices, rtnetlink) but this is " + os
                    + ": run weft on Linux or choose Backend.Type alloc");
        }
        Runtime system = Runtime.getSystemRuntime();
        if (system.addressSize() != 8) {
            throw new WeftException("weft's data paths need a 64-bit JVM but this one has " + system.addressSize() * 8
                    + "-bit addresses: run weft on a 64-bit JVM");
        }
        try {
            LibC libc = LibraryLoader.create(LibC.class).load("c");
            return new Syscalls(libc, Runtime.getRuntime(libc));
        } catch (LinkageError | RuntimeException e) {
            throw new WeftException("cannot load libc through jnr-ffi: " + e.getMessage()
                    + ": check that the JVM may load native code (no noexec /tmp for jffi)", e);
        }
    }

    public LibC libc() {
        return libc;
    }

    /** errno of this thread's last call; allocation-free. */
    public int errno() {
        return runtime.getLastError();
    }

    /** errno's text and number, e.g. {@code Operation not permitted (errno 1)}. */
    public String describe(int errno) {
        String text = libc.strerror(errno);
        return (text == null ? "unknown error" : text) + " (errno " + errno + ")";
    }

    /** A failure of {@code what} with errno's text, and the fix for it. */
    public WeftException failure(String what, int errno, String fix) {
        return new WeftException(what + " failed: " + describe(errno) + ": " + fix);
    }

    /** The native address of a direct buffer's first byte. */
    public static long address(ByteBuffer direct) {
        if (!direct.isDirect()) {
            throw new IllegalArgumentException("buffer is not direct");
        }
        return Pointer.wrap(Runtime.getSystemRuntime(), direct).address();
    }

    /**
     * Gives the whole pages inside a direct buffer back to the kernel ({@code MADV_DONTNEED}): each reads as
     * zeros and takes memory again only when written. The JDK zeroes a direct buffer when it allocates it,
     * which makes every page of it resident; a packet buffer sized for the largest batch of 64 KB packets
     * then costs its full size even when a quiet or one-flow data path writes a few of its slots. Called on
     * fresh (zeroed) buffers, so their contents do not change. The bytes before the first and after the last
     * whole page keep theirs.
     */
    public void releasePages(ByteBuffer direct) {
        long page = libc.getpagesize();
        long start = address(direct);
        long from = (start + page - 1) & -page;
        long to = (start + direct.capacity()) & -page;
        if (to - from >= page && libc.madvise(from, to - from, LibC.MADV_DONTNEED) != 0) {
            throw failure("madvise(MADV_DONTNEED) on a " + direct.capacity() + "-byte packet buffer", errno(),
                    "report this as a bug");
        }
    }

    /** Zeroed native memory for a set-up call's argument; freed by the GC. */
    public Pointer memory(int size) {
        return Memory.allocateDirect(runtime, size, true);
    }

    /** {@code ioctl(fd, request, arg)}; throws naming {@code what} unless it returns 0. */
    public void ioctl(int fd, long request, Pointer arg, String what, String fix) {
        if (libc.ioctl(fd, request, arg) < 0) {
            int errno = errno();
            throw failure(what, errno, fixFor(errno, fix));
        }
    }

    /** {@code close(fd)}; returns errno, or 0 when it worked, so closers can go on and report. */
    public int close(int fd) {
        return libc.close(fd) < 0 ? errno() : 0;
    }

    /** {@code close(fd)}; throws naming {@code what} and the fix unless it worked. */
    public void closeChecked(int fd, String what, String fix) {
        int errno = close(fd);
        if (errno != 0) {
            throw failure("close " + what, errno, fix);
        }
    }

    /** The usual fix for a permission error, else {@code fix}. */
    public static String fixFor(int errno, String fix) {
        if (errno == LibC.EPERM || errno == LibC.EACCES) {
            return "run weft as root or with CAP_NET_ADMIN";
        }
        return fix;
    }

    /** Writes {@code value} as a big-endian (network order) int at {@code offset}. */
    public static void putNetworkInt(Pointer p, long offset, int value) {
        p.putByte(offset, (byte) (value >>> 24));
        p.putByte(offset + 1, (byte) (value >>> 16));
        p.putByte(offset + 2, (byte) (value >>> 8));
        p.putByte(offset + 3, (byte) value);
    }

    /** Writes a {@code struct sockaddr_in} (16 bytes) at {@code offset}. */
    public static void putSockaddrIn(Pointer p, long offset, int address, int port) {
        p.putShort(offset, (short) LibC.AF_INET);
        p.putByte(offset + 2, (byte) (port >>> 8));
        p.putByte(offset + 3, (byte) port);
        putNetworkInt(p, offset + 4, address);
        p.putLong(offset + 8, 0);
    }
}
