package io.weft.cli;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import sun.misc.Signal;

/**
 * Runs the shutdown action on the first SIGTERM or SIGINT, on its own thread, so the daemon stops cleanly
 * and exits 0; a second signal halts the process at once with 128 + the signal number.
 */
final class SignalShutdown implements Consumer<Runnable> {
    @Override
    public void accept(Runnable action) {
        AtomicInteger signals = new AtomicInteger();
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), sig -> {
                if (signals.getAndIncrement() == 0) {
                    new Thread(action, "weft-shutdown").start();
                } else {
                    Runtime.getRuntime().halt(128 + sig.getNumber());
                }
            });
        }
    }
}
