package io.weft.core.daemon;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The daemon's periodic jobs share one thread: each runs at its own interval, a failing one keeps its turns. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class HousekeepingTest {
    @Test
    void eachJobRunsAtItsOwnIntervalOnOneThreadAndAFailingJobKeepsRunning() throws Exception {
        AtomicInteger fast = new AtomicInteger();
        AtomicInteger failing = new AtomicInteger();
        AtomicInteger slow = new AtomicInteger();
        java.util.Set<String> threads = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Housekeeping h = new Housekeeping(List.of(
                new Housekeeping.Job("fast", Duration.ofMillis(20), () -> {
                    threads.add(Thread.currentThread().getName());
                    fast.incrementAndGet();
                }),
                new Housekeeping.Job("failing", Duration.ofMillis(20), () -> {
                    threads.add(Thread.currentThread().getName());
                    failing.incrementAndGet();
                    throw new IllegalStateException("broken");
                }),
                new Housekeeping.Job("slow", Duration.ofHours(1), slow::incrementAndGet)));
        Thread t = new Thread(() -> {
            try {
                h.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "weft-housekeeping-test");
        t.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> fast.get() >= 5 && failing.get() >= 5);
        t.interrupt();
        t.join(5_000);
        assertTrue(!t.isAlive(), "run() returns when interrupted");
        assertEquals(0, slow.get(), "a job runs only once its interval has passed");
        assertEquals(java.util.Set.of("weft-housekeeping-test"), threads, "every job on the one thread");
    }

    @Test
    void noJobsMeansNoThreadIsNeeded() {
        assertTrue(new Housekeeping(List.of()).isEmpty());
    }
}
