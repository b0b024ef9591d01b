package io.weft.core.testing;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * What every message a user sees must be, as the fuzz targets check it: non-empty and one line, with no
 * control character (a newline or an escape sequence in a user's value could break a log line or forge
 * one) and no Unicode line or paragraph separator. Stateless.
 */
public final class UserMessages {
    private UserMessages() {
    }

    public static void assertOneLine(String message) {
        assertTrue(message != null && !message.isBlank(), "an empty message");
        for (int i = 0; i < message.length(); i++) {
            char c = message.charAt(i);
            if (Character.isISOControl(c) || c == '\u2028' || c == '\u2029') {
                fail(String.format("the message has U+%04X at %d: %s", (int) c, i, message.replaceAll("\\p{Cntrl}",
                        "?")));
            }
        }
    }
}
