package io.weft.core.runtime;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A long-lived loop on a named thread, owned by whoever started it, that stops within a bounded time.
 * {@link #stop(Duration)} marks it stopping, interrupts the thread (which ends sleeps, waits and lock
 * waits), runs the owner's wake-up action (which ends waits an interrupt cannot reach, such as a
 * {@code poll} on a descriptor: write to an eventfd in its poll set), then joins for at most the given time.
 * A body that throws is reported once to the owner's failure handler; a body that ends because it was
 * stopped is not a failure. Thread-safe.
 */
public final class LoopThread {

    /** The loop itself: it returns when {@link LoopThread#running()} turns false, or when interrupted. */
    @FunctionalInterface
    public interface Body {
        void run(LoopThread self) throws Exception;
    }

    private final Thread thread;
    private final Runnable wakeUp;
    private volatile boolean running = true;

    private LoopThread(String name, Body body, Runnable wakeUp, Consumer<Throwable> onFailure) {
        this.wakeUp = wakeUp;
        this.thread = new Thread(() -> {
            try {
                body.run(this);
            } catch (InterruptedException e) {
                if (running) {
                    onFailure.accept(e);
                }
            } catch (Throwable e) {
                onFailure.accept(e);
            }
        }, name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts {@code body} on a new daemon thread called {@code name}.
     *
     * @param wakeUp    run by {@link #requestStop()} after the interrupt, to end a wait the interrupt cannot
     *                  reach; {@code () -> {}} when the body only sleeps or waits on Java objects
     * @param onFailure told, on the loop's thread, when the body throws (an interrupt after a stop is not one)
     */
    public static LoopThread start(String name, Body body, Runnable wakeUp, Consumer<Throwable> onFailure) {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(body, "body is null");
        Objects.requireNonNull(wakeUp, "wakeUp is null");
        Objects.requireNonNull(onFailure, "onFailure is null");
        LoopThread loop = new LoopThread(name, body, wakeUp, onFailure);
        loop.thread.start();
        return loop;
    }

    /** False once a stop was asked for: the body's loop condition. */
    public boolean running() {
        return running;
    }

    /** Whether the thread still runs. */
    public boolean isAlive() {
        return thread.isAlive();
    }

    public String name() {
        return thread.getName();
    }

    /** Asks the loop to stop (the flag, an interrupt, then the wake-up action) without waiting. Idempotent. */
    public void requestStop() {
        if (!running) {
            return;
        }
        running = false;
        if (thread != Thread.currentThread()) {
            thread.interrupt();
        }
        wakeUp.run();
    }

    /**
     * Stops the loop and waits at most {@code timeout} for its thread to end.
     *
     * @return true when the thread has ended (or is the calling thread itself)
     */
    public boolean stop(Duration timeout) {
        requestStop();
        return join(timeout);
    }

    /** Waits at most {@code timeout} for the thread to end; true when it has (or is the calling thread). */
    public boolean join(Duration timeout) {
        if (thread == Thread.currentThread()) {
            return true;
        }
        try {
            thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeout.toNanos())));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return !thread.isAlive();
    }
}
