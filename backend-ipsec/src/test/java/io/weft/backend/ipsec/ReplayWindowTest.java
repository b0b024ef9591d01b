package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ReplayWindowTest {

    private static ReplayWindow accepting(long... seqs) {
        ReplayWindow w = new ReplayWindow();
        for (long s : seqs) {
            assertEquals(ReplayWindow.OK, w.check(s), "seq " + s);
            w.update(s);
        }
        return w;
    }

    @Test
    void windowIsAtLeast1024() {
        assertTrue(ReplayWindow.SIZE >= 1024);
        assertEquals(1984, ReplayWindow.SIZE);
    }

    @Test
    void inOrder() {
        ReplayWindow w = new ReplayWindow();
        for (long s = 1; s <= 10_000; s++) {
            assertEquals(ReplayWindow.OK, w.check(s));
            w.update(s);
        }
        assertEquals(10_000, w.top());
    }

    @Test
    void outOfOrderWithinTheWindowIsAcceptedOnce() {
        ReplayWindow w = accepting(1, 5000);
        for (long s = 5000 - ReplayWindow.SIZE + 1; s < 5000; s += 7) {
            assertEquals(ReplayWindow.OK, w.check(s), "seq " + s);
            w.update(s);
            assertEquals(ReplayWindow.DUPLICATE, w.check(s), "seq " + s);
        }
        assertEquals(5000, w.top());
    }

    @ParameterizedTest
    @CsvSource({"3000, 1016, 2", "3000, 1017, 0", "3000, 3000, 1", "3000, 2999, 0", "3000, 0, 2", "3000, 1, 2",
        "100, 1, 0", "100, 100, 1"})
    void verdicts(long top, long seq, int verdict) {
        ReplayWindow w = accepting(top);
        assertEquals(verdict, w.check(seq));
    }

    @Test
    void duplicateAndTooOld() {
        ReplayWindow w = accepting(1, 2, 3);
        assertEquals(ReplayWindow.DUPLICATE, w.check(2));
        w.update(100_000);
        assertEquals(ReplayWindow.TOO_OLD, w.check(4));
        assertEquals(ReplayWindow.OK, w.check(100_000 - ReplayWindow.SIZE + 1));
    }

    @Test
    void bigJumpsClearOldBits() {
        ReplayWindow w = accepting(64, 65, 130);
        w.update(64 + 64L * ReplayWindow.BLOCKS);
        // The block that held 64 and 65 was reused; those numbers are now behind the window anyway.
        assertEquals(ReplayWindow.TOO_OLD, w.check(64));
        long top = 64 + 64L * ReplayWindow.BLOCKS;
        assertEquals(ReplayWindow.OK, w.check(top - 1));
        assertEquals(ReplayWindow.OK, w.check(top - ReplayWindow.SIZE + 1));
    }

    @Test
    void checkDoesNotChangeState() {
        ReplayWindow w = accepting(10);
        for (int i = 0; i < 3; i++) {
            assertEquals(ReplayWindow.OK, w.check(9));
            assertEquals(ReplayWindow.OK, w.check(5000));
        }
        assertEquals(10, w.top());
    }

    @ParameterizedTest
    @CsvSource({
        // top, low 32 bits on the wire, inferred 64-bit sequence number
        "0, 1, 1",
        "0, 4294967295, -1",
        "5000, 5001, 5001",
        "5000, 4000, 4000",
        "5000, 1000, -1",
        "4294967000, 1000, 4294968296",
        "4294967290, 4294967295, 4294967295",
        "4294967290, 3, 4294967299",
        "4294967299, 4294967280, 4294967280",
        "4294967299, 10, 4294967306",
    })
    void extendedSequenceNumbers(long top, long low, long full) {
        ReplayWindow w = new ReplayWindow();
        if (top > 0) {
            w.update(top);
        }
        assertEquals(full, w.infer((int) low));
    }
}
