package io.weft.core;

/**
 * The one exception type that crosses weft's module boundaries. Its message is meant for a user: it names
 * the field or thing at fault, the bad value and, where there is one, the fix. Immutable, thread-safe.
 */
public final class WeftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeftException(String message) {
        super(message);
    }

    public WeftException(String message, Throwable cause) {
        super(message, cause);
    }
}
