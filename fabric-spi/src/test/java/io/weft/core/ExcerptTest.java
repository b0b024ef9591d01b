package io.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Outside text in one line and a bounded length. */
class ExcerptTest {
    @Test
    void shortTextIsKept() {
        assertEquals("10.5.34.0-24", Excerpt.of("10.5.34.0-24"));
    }

    @Test
    void controlCharactersAreEscapedSoNoLineCanBeForged() {
        assertEquals("a\\nWARN forged\\r\\tb\\u0000c\\u001b[31m\\u2028",
                Excerpt.of("a\nWARN forged\r\tb\0c\u001b[31m\u2028"));
    }

    @Test
    void longTextIsCutAndItsLengthSaid() {
        String huge = "x".repeat(1_500_000);
        assertEquals("x".repeat(120) + "...(1500000 chars)", Excerpt.of(huge));
        assertEquals("xxxxx...(1500000 chars)", Excerpt.of(huge, 5));
        assertEquals("null", Excerpt.of(null));
    }
}
