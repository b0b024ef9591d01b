package io.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.config.LeaseJson;
import io.weft.core.config.NetworkConfigParser;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class WeftExceptionTest {

    @Test
    void aMessageIsOneLineWhateverTheValueInIt() {
        assertEquals("lease k is not a JSON object: \"a\\nb\\rc\\td\\u0000e\\u001b[31mf\\u0085g\\u2028h\"",
                new WeftException("lease k is not a JSON object: \"a\nb\rc\td\u0000e\u001b[31mf\u0085g\u2028h\"")
                        .getMessage());
        assertEquals("x\\n", new WeftException("x\n", new IllegalStateException()).getMessage());
        String plain = "Network 10.5.0.0/29 is too small: its prefix must be /28 or shorter";
        assertEquals(plain, WeftException.oneLine(plain));
        assertNull(WeftException.oneLine(null));
    }

    /** Found by LeaseJsonFuzzTest: the lease value is quoted in the message, newlines and all. */
    @Test
    void aLeaseValueWithANewlineGivesAOneLineMessage() {
        WeftException e = assertThrows(WeftException.class,
                () -> LeaseJson.decode("k", "[\"198.18.0.2\",\n\"udp\"]"));
        assertEquals("lease k is not a JSON object: [\"198.18.0.2\",\\n\"udp\"]", e.getMessage());
    }

    /** Found by NetworkConfigParserFuzzTest: Jackson quotes the bad token, NUL bytes and all. */
    @Test
    void aConfigWithANulInABadTokenGivesAOneLineMessage() {
        WeftException e = assertThrows(WeftException.class,
                () -> NetworkConfigParser.parse("{\"Network\":G\u00000}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("network config is not valid JSON at byte offset 11: Unrecognized token 'G\\u00000': was"
                + " expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false'); fix the JSON"
                + " and store it again", e.getMessage());
    }
}
