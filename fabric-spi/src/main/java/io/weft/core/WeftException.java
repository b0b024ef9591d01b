package io.weft.core;

/**
 * The one exception type that crosses weft's module boundaries. Its message is meant for a user: it names
 * the field or thing at fault, the bad value and, where there is one, the fix. It is always one line: the
 * bad value often comes from a file, etcd or a peer, so control characters in it are escaped ({@link #oneLine},
 * as {@link Excerpt} does) rather than let a newline or an escape sequence break a log line or forge one.
 * Immutable, thread-safe.
 */
public final class WeftException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WeftException(String message) {
        super(oneLine(message));
    }

    public WeftException(String message, Throwable cause) {
        super(oneLine(message), cause);
    }

    /**
     * {@code text} with every control character and Unicode line or paragraph separator escaped as
     * {@link Excerpt} escapes them, but not cut; null stays null.
     */
    public static String oneLine(String text) {
        return text == null ? null : Excerpt.of(text, Integer.MAX_VALUE);
    }
}
