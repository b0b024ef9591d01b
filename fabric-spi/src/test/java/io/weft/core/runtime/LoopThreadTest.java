package io.weft.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class LoopThreadTest {
    private final AtomicReference<Throwable> failure = new AtomicReference<>();

    @Test
    void runsOnANamedThreadAndAStopEndsASleepingLoopWithoutAFailure() throws InterruptedException {
        CountDownLatch started = new CountDownLatch(1);
        AtomicReference<String> name = new AtomicReference<>();
        LoopThread loop = LoopThread.start("weft-test-sleeper", self -> {
            name.set(Thread.currentThread().getName());
            started.countDown();
            while (self.running()) {
                Thread.sleep(60_000);
            }
        }, () -> { }, failure::set);
        assertTrue(started.await(5, TimeUnit.SECONDS));
        assertEquals("weft-test-sleeper", name.get());
        assertTrue(loop.stop(Duration.ofSeconds(2)), "stopped within the bound");
        assertFalse(loop.isAlive());
        assertFalse(loop.running());
        assertNull(failure.get(), "an interrupt after a stop is not a failure");
    }

    @Test
    void theWakeUpActionEndsAWaitAnInterruptCannotReach() throws InterruptedException {
        // Bodies that, like one blocked in a native poll(2), go on waiting through interrupts and stop flags.
        SynchronousQueue<String> withWakeUp = new SynchronousQueue<>();
        SynchronousQueue<String> withoutWakeUp = new SynchronousQueue<>();
        LoopThread woken = LoopThread.start("weft-test-woken", self -> waitForWord(withWakeUp),
                () -> new Thread(() -> offer(withWakeUp)).start(), failure::set);
        LoopThread deaf = LoopThread.start("weft-test-deaf", self -> waitForWord(withoutWakeUp), () -> { },
                failure::set);

        assertTrue(woken.stop(Duration.ofSeconds(5)), "the wake-up ended the wait");
        assertFalse(deaf.stop(Duration.ofMillis(300)), "an interrupt alone does not end such a wait");
        offer(withoutWakeUp);
        assertTrue(deaf.join(Duration.ofSeconds(5)));
        assertNull(failure.get());
    }

    private static void waitForWord(SynchronousQueue<String> queue) {
        while (true) {
            try {
                queue.take();
                return;
            } catch (InterruptedException ignoredLikeANativeCall) {
                // keep waiting
            }
        }
    }

    private static void offer(SynchronousQueue<String> queue) {
        try {
            queue.put("wake");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aBodyThatThrowsIsReportedOnce() throws InterruptedException {
        IllegalStateException boom = new IllegalStateException("boom");
        CountDownLatch reported = new CountDownLatch(1);
        LoopThread loop = LoopThread.start("weft-test-failing", self -> {
            throw boom;
        }, () -> { }, e -> {
            failure.set(e);
            reported.countDown();
        });
        assertTrue(reported.await(5, TimeUnit.SECONDS));
        assertTrue(loop.join(Duration.ofSeconds(2)));
        assertSame(boom, failure.get());
    }

    @Test
    void aLoopInterruptedWhileRunningIsAFailure() throws InterruptedException {
        CountDownLatch reported = new CountDownLatch(1);
        LoopThread loop = LoopThread.start("weft-test-interrupted", self -> {
            Thread.currentThread().interrupt();
            Thread.sleep(1);
        }, () -> { }, e -> {
            failure.set(e);
            reported.countDown();
        });
        assertTrue(reported.await(5, TimeUnit.SECONDS));
        assertTrue(loop.join(Duration.ofSeconds(2)));
        assertTrue(failure.get() instanceof InterruptedException);
    }
}
