package io.weft.core;

/**
 * The one exception type that crosses weft's module boundaries. Its message is meant for a user: it names
 * the field or thing at fault, the bad value and, where there is one, the fix. It is always one line: the
 * bad value often comes from a file, etcd or a peer, so control characters in it are escaped
 * ({@link #oneLine}) rather than let a newline or an escape sequence break a log line or forge one.
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
     * {@code text} with every control character and Unicode line or paragraph separator written as an escape
     * ({@code \n}, {@code \r}, {@code \t}, else {@code \}{@code uXXXX}), so it prints on one line; null stays null.
     */
    public static String oneLine(String text) {
        if (text == null || text.chars().noneMatch(WeftException::breaksLines)) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (breaksLines(c)) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        return out.toString();
    }

    private static boolean breaksLines(int c) {
        return Character.isISOControl(c) || c == '\u2028' || c == '\u2029';
    }
}
