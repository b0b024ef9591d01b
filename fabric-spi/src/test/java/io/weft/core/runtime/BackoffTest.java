package io.weft.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class BackoffTest {

    @Test
    void doublesUpToTheCapAndStartsAgainAfterAReset() {
        Backoff b = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(3));
        List<Long> delays = Stream.generate(b::next).limit(6).map(Duration::toMillis).toList();
        assertEquals(List.of(500L, 1000L, 2000L, 3000L, 3000L, 3000L), delays);
        b.reset();
        assertEquals(Duration.ofMillis(500), b.next());
    }

    @Test
    void refusesAZeroStartOrACapBelowIt() {
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)));
        assertThrows(IllegalArgumentException.class, () -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)));
    }
}
