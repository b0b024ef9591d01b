package io.weft.core.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.HostRequirements.Need;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

/** {@link HostRequirements}: fails where the tests are required to run, skips (saying so once) elsewhere. */
class HostRequirementsTest {
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    private HostRequirements host(Map<String, String> env) {
        return new HostRequirements(env, new PrintStream(stderr, true, StandardCharsets.UTF_8));
    }

    private String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @CsvSource({"CI, true", "CI, TRUE", "CI, 1", "WEFT_REQUIRE_ROOT_TESTS, 1", "WEFT_REQUIRE_ROOT_TESTS, true"})
    void requiredFailsNamingWhatIsMissing(String variable, String value) {
        HostRequirements host = host(Map.of(variable, value));
        assertTrue(host.required());
        AssertionFailedError e = assertThrows(AssertionFailedError.class,
                () -> host.check(Need.of("root", () -> false), Need.of("/dev/net/tun", () -> true),
                        Need.of("tshark (/usr/bin/tshark)", () -> false)));
        assertEquals("this host lacks root, tshark (/usr/bin/tshark); the tests that need it must run here because"
                + " CI=true or WEFT_REQUIRE_ROOT_TESTS=1 (run scripts/ensure-test-env.sh as root, or unset both to"
                + " skip them)", e.getMessage());
        assertEquals("", stderr());
    }

    @ParameterizedTest
    @CsvSource({"CI, false", "CI, ''", "WEFT_REQUIRE_ROOT_TESTS, 0", "OTHER, true"})
    void notRequiredSkipsAndSaysSoOnce(String variable, String value) {
        HostRequirements host = host(Map.of(variable, value));
        assertFalse(host.required());
        TestAbortedException first = assertThrows(TestAbortedException.class,
                () -> host.check(Need.of("root", () -> false)));
        assertEquals("this host lacks root", first.getMessage());
        assertThrows(TestAbortedException.class, () -> host.check(Need.of("iproute2 (ip netns)", () -> false)));
        assertEquals("weft tests: skipping the tests that need root or host tools (this host lacks root);"
                + " set WEFT_REQUIRE_ROOT_TESTS=1 to make them fail instead\n", stderr());
    }

    @Test
    void nothingHappensWhenAllIsPresent() {
        host(Map.of("CI", "true")).check(Need.of("root", () -> true), Need.file("/"));
        host(Map.of()).check();
        assertEquals("", stderr());
    }

    @Test
    void needsNameTheirThings() {
        assertEquals("tshark (/usr/bin/tshark)", Need.executable("/usr/bin/tshark").name());
        assertEquals("/dev/net/tun", Need.tun().name());
        assertFalse(Need.executable("/nonexistent/weft-tool").present().getAsBoolean());
        assertFalse(Need.file("/nonexistent").present().getAsBoolean());
    }
}
