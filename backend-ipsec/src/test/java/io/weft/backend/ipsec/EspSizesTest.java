package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class EspSizesTest {

    @ParameterizedTest
    @CsvSource({"1500, 1438", "1450, 1386", "1280, 1218", "9000, 8938", "1501, 1438", "1502, 1438", "1503, 1438",
        "1504, 1442", "576, 514"})
    void innerMtu(int outer, int inner) {
        assertEquals(inner, Esp.innerMtu(outer));
    }

    @ParameterizedTest
    @CsvSource({"20, 2", "21, 1", "22, 0", "23, 3", "1438, 0", "1437, 1", "84, 2"})
    void paddingAlignsTheTrailer(int length, int padding) {
        assertEquals(padding, Esp.padding(length));
        assertEquals(0, (length + padding + Esp.TRAILER_BYTES) % 4);
    }

    @Test
    void theInnerMtuIsTheLargestPacketThatFits() {
        for (int outer = 100; outer <= 9000; outer++) {
            int inner = Esp.innerMtu(outer);
            assertTrue(Esp.outerMtuFor(inner) <= outer, "outer " + outer);
            for (int bigger = inner + 1; bigger <= inner + 4; bigger++) {
                assertTrue(Esp.outerMtuFor(bigger) > outer, "outer " + outer + " inner " + bigger);
            }
        }
        assertEquals(62, 1500 - Esp.innerMtu(1500));
    }
}
