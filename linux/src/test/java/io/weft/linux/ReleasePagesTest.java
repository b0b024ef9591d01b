package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.Test;

/** {@link Syscalls#releasePages}: the whole pages inside a buffer read as zeros after it, the edges keep their bytes. */
class ReleasePagesTest {
    private final Syscalls sys = Syscalls.load();

    @Test
    void wholePagesReadAsZerosAndTakeWritesAgainWhileTheEdgesKeepTheirBytes() {
        int page = sys.libc().getpagesize();
        ByteBuffer buffer = ByteBuffer.allocateDirect(8 * page + 100);
        for (int i = 0; i < buffer.capacity(); i++) {
            buffer.put(i, (byte) 1);
        }
        long address = Syscalls.address(buffer);
        int firstWhole = (int) (((address + page - 1) & -page) - address);
        int endWhole = (int) (((address + buffer.capacity()) & -page) - address);

        sys.releasePages(buffer);

        int ones = 0;
        for (int i = 0; i < buffer.capacity(); i++) {
            byte expected = i >= firstWhole && i < endWhole ? (byte) 0 : (byte) 1;
            assertEquals(expected, buffer.get(i), "byte " + i + " of " + buffer.capacity() + " (whole pages from "
                    + firstWhole + " to " + endWhole + ")");
            ones += buffer.get(i);
        }
        assertEquals(buffer.capacity() - (endWhole - firstWhole), ones);
        buffer.put(firstWhole, (byte) 7);
        assertEquals(7, buffer.get(firstWhole), "a released page takes a write");
    }
}
