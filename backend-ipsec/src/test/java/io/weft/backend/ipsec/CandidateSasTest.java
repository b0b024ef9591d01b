package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** The candidate cache's eviction rules: forged SPIs never push out an expected one that is still expected. */
class CandidateSasTest {
    private static final long T0 = 1_770_000_000L;
    private final CandidateSas cache = new CandidateSas(4, 2);

    private static InboundSa sa(long spi) {
        return new InboundSa(new SaKey((int) spi, new byte[16], new byte[4]), AeadKind.JDK, 0);
    }

    @Test
    void findsBySpi() {
        InboundSa a = sa(T0);
        InboundSa b = sa(T0 + 50);
        cache.addExpected(a, T0 - 2, T0 + 2);
        cache.addOther(b);
        assertSame(a, cache.find((int) T0));
        assertSame(b, cache.find((int) (T0 + 50)));
        assertNull(cache.find((int) (T0 + 1)));
        assertEquals(2, cache.size());
    }

    @Test
    void othersAreFirstInFirstOutAndNeverEvictExpectedOnes() {
        InboundSa real = sa(T0 + 1);
        cache.addExpected(real, T0 - 2, T0 + 2);
        for (long spi = T0 + 10; spi < T0 + 1010; spi++) {
            cache.addOther(sa(spi));
        }
        assertSame(real, cache.find((int) (T0 + 1)));
        assertNotNull(cache.find((int) (T0 + 1009)));
        assertNotNull(cache.find((int) (T0 + 1008)));
        assertNull(cache.find((int) (T0 + 1007)));
        assertEquals(3, cache.size());
    }

    @Test
    void aFullExpectedAreaEvictsTheLowestSpiOutsideTheWindowFirst() {
        for (long spi = T0; spi < T0 + 4; spi++) {
            cache.addExpected(sa(spi), spi - 2, spi + 2);
        }
        // The window moved on to T0+2 .. T0+6: T0 and T0+1 have left it; T0 goes first, then T0+1.
        cache.addExpected(sa(T0 + 4), T0 + 2, T0 + 6);
        assertNull(cache.find((int) T0));
        assertNotNull(cache.find((int) (T0 + 1)));
        cache.addExpected(sa(T0 + 5), T0 + 2, T0 + 6);
        assertNull(cache.find((int) (T0 + 1)));
        for (long spi = T0 + 2; spi <= T0 + 5; spi++) {
            assertNotNull(cache.find((int) spi), "SPI T0+" + (spi - T0) + " is in the window");
        }
    }

    @Test
    void entriesInsideTheWindowAreKeptOverAnEntryOutsideItWhateverTheSpis() {
        cache.addExpected(sa(T0 + 9), T0 + 7, T0 + 11);
        cache.addExpected(sa(T0 + 2), T0, T0 + 4);
        cache.addExpected(sa(T0 + 3), T0, T0 + 4);
        cache.addExpected(sa(T0 + 4), T0, T0 + 4);
        // T0+9 was expected once (a peer clock jump learnt later moved the window back); now it is outside.
        cache.addExpected(sa(T0 + 1), T0, T0 + 4);
        assertNull(cache.find((int) (T0 + 9)));
        assertEquals(4, cache.size());
    }

    @Test
    void anInstalledSaTakesTheCandidatesUpToItsSpiAway() {
        cache.addExpected(sa(T0), T0 - 2, T0 + 2);
        cache.addExpected(sa(T0 + 1), T0 - 2, T0 + 2);
        cache.addExpected(sa(T0 + 2), T0 - 2, T0 + 2);
        cache.addOther(sa(T0 - 20));
        cache.addOther(sa(T0 + 60));
        cache.removeUpTo((int) (T0 + 1));
        assertEquals(2, cache.size());
        assertNotNull(cache.find((int) (T0 + 2)));
        assertNotNull(cache.find((int) (T0 + 60)));
        // A freed slot is filled before the oldest other is evicted.
        cache.addOther(sa(T0 + 61));
        assertNotNull(cache.find((int) (T0 + 60)));
    }
}
