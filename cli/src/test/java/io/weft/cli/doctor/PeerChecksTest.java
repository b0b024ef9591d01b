package io.weft.cli.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class PeerChecksTest {
    @Test
    void aSearchRoundSpreadsItsProbesEvenlyStrictlyBetweenWhatPassedAndWhatDied() {
        List<Integer> first = PeerChecks.between(84, 1472);
        assertEquals(PeerChecks.SEARCH_PROBES, first.size());
        assertEquals(List.of(170, 257, 344, 431, 517, 604, 691, 778, 864, 951, 1038, 1125, 1211, 1298, 1385), first);
        assertEquals(List.of(1387, 1388, 1389), PeerChecks.between(1386, 1390), "fewer sizes than probes: each one");
        assertEquals(List.of(), PeerChecks.between(1386, 1387));
    }

    @Test
    void threeRoundsFindTheLargestSizeExactly() {
        // As pathMtu searches, against a path that passes up to 1376 bytes.
        int passes = 84;
        int dies = 1472;
        for (int round = 0; round < PeerChecks.SEARCH_ROUNDS && dies - passes > 1; round++) {
            for (int size : PeerChecks.between(passes, dies)) {
                if (size <= 1376) {
                    passes = Math.max(passes, size);
                } else {
                    dies = Math.min(dies, size);
                }
            }
        }
        assertEquals(1376, passes);
        assertEquals(1377, dies);
    }
}
