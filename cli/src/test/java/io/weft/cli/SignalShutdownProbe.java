package io.weft.cli;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * A child JVM for {@link SignalShutdownTest}: arms {@link SignalShutdown} with a shutdown action that
 * takes {@code args[0]} ms, then exits 0 once the action has finished (at most 60 s).
 */
public final class SignalShutdownProbe {
    private SignalShutdownProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        long actionMillis = Long.parseLong(args[0]);
        CountDownLatch done = new CountDownLatch(1);
        new SignalShutdown().accept(() -> {
            System.out.println("stopping");
            try {
                Thread.sleep(actionMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            done.countDown();
        });
        System.out.println("armed");
        System.exit(done.await(60, TimeUnit.SECONDS) ? 0 : 3);
    }
}
