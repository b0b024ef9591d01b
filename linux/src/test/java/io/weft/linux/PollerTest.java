package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A poll with no bound ends when its wake-up eventfd is signalled; eventfds stand in for a data descriptor. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class PollerTest {
    private final Syscalls sys = Syscalls.load();

    @Test
    void readableDataIsReported() {
        try (EventFd data = EventFd.open(sys, "test data"); EventFd wake = EventFd.open(sys, "test wake-up")) {
            Poller poller = new Poller(sys, data.fd(), "test data", wake);
            assertFalse(poller.awaitReadable(0), "nothing to read yet");
            data.signal();
            assertTrue(poller.awaitReadable(-1));
        }
    }

    @Test
    void aSignalEndsAnUnboundedWaitAndKeepsEndingThem() throws Exception {
        try (EventFd data = EventFd.open(sys, "test data"); EventFd wake = EventFd.open(sys, "test wake-up")) {
            Poller poller = new Poller(sys, data.fd(), "test data", wake);
            CompletableFuture<Boolean> waiting = CompletableFuture.supplyAsync(() -> poller.awaitReadable(-1));
            Thread.sleep(100);
            assertFalse(waiting.isDone(), "still waiting before the signal");
            wake.signal();
            assertFalse(waiting.get(5, TimeUnit.SECONDS), "woken, not readable");
            assertFalse(poller.awaitReadable(-1), "the wake-up stays signalled");
        }
    }
}
