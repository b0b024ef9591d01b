package io.weft.core.daemon;

import java.util.Optional;
import java.util.function.Supplier;

/**
 * Whether the daemon is ready, and if not, why: the step it waits for (config, lease), shutdown, or a check
 * of the running parts (lease held, data path up). {@code /readyz} and {@code weft status} read it from the
 * HTTP thread while the daemon's threads write it. Thread-safe.
 */
final class Readiness {
    private volatile String waitingFor = "starting";
    private volatile boolean ready;
    private volatile boolean closing;

    /** The daemon now waits for {@code step}, e.g. "acquiring a lease". */
    void waitingFor(String step) {
        waitingFor = step;
    }

    /** Start-up is done; readiness now depends on the running parts alone. */
    void started() {
        waitingFor = null;
    }

    /** The daemon said READY. */
    void ready() {
        ready = true;
    }

    void closing() {
        closing = true;
    }

    boolean isClosing() {
        return closing;
    }

    /** Ready and not shutting down. */
    boolean isReady() {
        return ready && !closing;
    }

    /**
     * Why the daemon is not ready, or empty when it is.
     *
     * @param runningParts why the running parts are not ready, checked once start-up is done
     */
    Optional<String> notReadyReason(Supplier<Optional<String>> runningParts) {
        if (closing) {
            return Optional.of("shutting down");
        }
        String waiting = waitingFor;
        return waiting != null ? Optional.of(waiting) : runningParts.get();
    }
}
