package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The per-peer derivation budget, on a clock the test passes. */
class DerivationBudgetTest {
    private static final long REFILL = 250;
    private final DerivationBudget budget = new DerivationBudget(4, REFILL);

    @Test
    void startsFullAndIsSpentByTakes() {
        assertEquals(4, budget.left(1_000));
        for (int i = 0; i < 4; i++) {
            assertTrue(budget.tryTake(1_000), "take " + i);
        }
        assertFalse(budget.tryTake(1_000));
        assertFalse(budget.tryTake(1_000 + REFILL - 1));
        assertEquals(0, budget.left(1_000 + REFILL - 1));
    }

    @Test
    void gainsOneDerivationPerRefillInterval() {
        for (int i = 0; i < 4; i++) {
            budget.tryTake(0);
        }
        assertTrue(budget.tryTake(REFILL));
        assertFalse(budget.tryTake(REFILL + 1));
        assertEquals(2, budget.left(3 * REFILL));
        assertTrue(budget.tryTake(3 * REFILL));
        assertTrue(budget.tryTake(3 * REFILL));
        assertFalse(budget.tryTake(3 * REFILL));
    }

    @Test
    void aLongPauseRefillsToTheCapacityAndNoFurther() {
        for (int i = 0; i < 4; i++) {
            budget.tryTake(0);
        }
        long later = Long.MAX_VALUE / 2;
        assertEquals(4, budget.left(later));
        for (int i = 0; i < 4; i++) {
            assertTrue(budget.tryTake(later), "take " + i);
        }
        assertFalse(budget.tryTake(later));
    }

    @Test
    void aFloodOfRequestsGetsTheCapacityThenOnePerInterval() {
        int granted = 0;
        for (long t = 0; t < 100 * REFILL; t++) {
            granted += budget.tryTake(t) ? 1 : 0;
        }
        assertEquals(4 + 99, granted);
    }

    @Test
    void nonsenseSizesAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new DerivationBudget(0, 1));
        assertThrows(IllegalArgumentException.class, () -> new DerivationBudget(1, 0));
    }
}
