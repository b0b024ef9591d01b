package io.weft.core.lease;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.BitSet;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** Taken index ranges against a plain bit set, on small random cases. */
class TakenRangesTest {
    @Test
    void agreesWithABitSet() {
        Random random = new Random(42);
        for (int round = 0; round < 500; round++) {
            int count = 1 + random.nextInt(200);
            TakenRanges ranges = new TakenRanges();
            BitSet bits = new BitSet(count);
            for (int i = random.nextInt(8); i > 0; i--) {
                int from = random.nextInt(count);
                int to = Math.min(count - 1, from + random.nextInt(20) - 3);
                ranges.add(from, to);
                if (from <= to) {
                    bits.set(from, to + 1);
                }
            }
            assertEquals(bits.cardinality(), ranges.size());
            for (int i = 0; i < count; i++) {
                assertEquals(bits.get(i), ranges.contains(i), "index " + i);
            }
            int index = bits.nextClearBit(0);
            for (int n = 0; index < count; n++) {
                assertEquals(index, ranges.freeIndex(n), "free index " + n);
                index = bits.nextClearBit(index + 1);
            }
        }
    }

    @Test
    void oneRangeCanHoldBillionsOfIndexes() {
        TakenRanges ranges = new TakenRanges();
        ranges.add(0, (1L << 29) - 1);
        ranges.add(1L << 29, (1L << 29) + (1L << 28) - 1);
        assertEquals((1L << 29) + (1L << 28), ranges.size());
        assertTrue(ranges.contains(5));
        assertFalse(ranges.contains((1L << 29) + (1L << 28)));
        assertEquals((1L << 29) + (1L << 28) + 7, ranges.freeIndex(7));
    }
}
