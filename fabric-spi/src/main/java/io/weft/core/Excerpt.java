package io.weft.core;

/**
 * Text that came from outside (an etcd key or value, a file) made fit for one log line or error message:
 * control characters escaped, and cut to a length with the full length said, so a writer of megabyte values
 * or of newlines can neither flood the log nor forge lines in it. Stateless.
 */
public final class Excerpt {
    /** How many characters of outside text a message shows by default. */
    public static final int DEFAULT_LENGTH = 120;

    private Excerpt() {
    }

    /** {@code text} as {@link #of(String, int)} with {@link #DEFAULT_LENGTH}. */
    public static String of(String text) {
        return of(text, DEFAULT_LENGTH);
    }

    /**
     * At most {@code max} characters of {@code text}, each control character written as a Java escape
     * ({@code \n}, {@code \u0000}), followed by {@code ...(N chars)} when it was cut.
     */
    public static String of(String text, int max) {
        if (text == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder(Math.min(text.length(), max) + 16);
        int shown = 0;
        for (; shown < text.length() && out.length() < max; shown++) {
            char c = text.charAt(shown);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (shown < text.length()) {
            out.append("...(").append(text.length()).append(" chars)");
        }
        return out.toString();
    }
}
