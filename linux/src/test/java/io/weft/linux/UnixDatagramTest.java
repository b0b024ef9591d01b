package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import jnr.ffi.Pointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Datagrams reach a unix datagram socket this test binds (by path and in the abstract namespace). */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UnixDatagramTest {
    private final Syscalls sys = Syscalls.load();
    @TempDir
    Path dir;

    /** A bound receiving socket; {@code name} as sun_path bytes (a leading NUL for the abstract namespace). */
    private int listen(byte[] name, int length) {
        int fd = sys.libc().socket(LibC.AF_UNIX, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
        assertTrue(fd >= 0);
        Pointer address = sys.memory(110);
        address.putShort(0, (short) LibC.AF_UNIX);
        address.put(2, name, 0, name.length);
        assertEquals(0, sys.libc().bind(fd, address, length), () -> "bind: " + sys.describe(sys.errno()));
        return fd;
    }

    private String receive(int fd) {
        ByteBuffer buffer = ByteBuffer.allocateDirect(256);
        long n = sys.libc().read(fd, Syscalls.address(buffer), 256);
        assertTrue(n >= 0, () -> "read: " + sys.describe(sys.errno()));
        byte[] bytes = new byte[(int) n];
        buffer.get(0, bytes);
        return new String(bytes, StandardCharsets.UTF_8);
    }

    @Test
    void sendsToAPath() {
        String path = dir.resolve("notify.sock").toString();
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        int fd = listen(name, 2 + name.length + 1);
        try {
            UnixDatagram.send(sys, path, "READY=1".getBytes(StandardCharsets.UTF_8));
            assertEquals("READY=1", receive(fd));
        } finally {
            sys.close(fd);
        }
    }

    @Test
    void sendsToTheAbstractNamespace() {
        String path = "@weft-test-" + ProcessHandle.current().pid();
        byte[] name = path.getBytes(StandardCharsets.UTF_8);
        name[0] = 0;
        int fd = listen(name, 2 + name.length);
        try {
            UnixDatagram.send(sys, path, "STOPPING=1".getBytes(StandardCharsets.UTF_8));
            assertEquals("STOPPING=1", receive(fd));
        } finally {
            sys.close(fd);
        }
    }

    @Test
    void errorsNameThePathAndErrno() {
        String absent = dir.resolve("absent.sock").toString();
        WeftException e = assertThrows(WeftException.class, () -> UnixDatagram.send(sys, absent, new byte[] {1}));
        assertEquals("connect to unix socket " + absent + " failed: No such file or directory (errno 2): check that"
                + " a process listens there", e.getMessage());
        String tooLong = "/" + "x".repeat(107);
        e = assertThrows(WeftException.class, () -> UnixDatagram.send(sys, tooLong, new byte[] {1}));
        assertEquals("unix socket path \"" + tooLong + "\" is 108 bytes: it must be 1 to 107", e.getMessage());
    }
}
