package io.weft.core.testing;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;

/**
 * What a test needs from the host (root, /dev/net/tun, iproute2, iptables, tshark, the CNI plugins) and what
 * happens when it lacks some of it. Where the tests are required to run, that is with {@code CI=true} (set by
 * the CI runner and by {@code .ci/run}) or {@code WEFT_REQUIRE_ROOT_TESTS=1}, the test fails with a message
 * naming what is missing, so a CI host that lost root cannot pass by skipping. Elsewhere, e.g. on a laptop
 * without root, the test is skipped, and the first skip in a JVM says so once on stderr.
 *
 * <p>Call {@link #require(Need...)} first thing in the test or its {@code @BeforeEach}. The JVM-wide instance
 * behind it reads the process environment once; tests of this class build their own with
 * {@link #HostRequirements(Map, PrintStream)}. Thread-safe.
 */
public final class HostRequirements {
    private static final HostRequirements HOST = new HostRequirements(System.getenv(), System.err);

    private final boolean required;
    private final PrintStream err;
    /** Whether this instance has said on stderr that it skips; once per JVM for {@link #HOST}. */
    private final AtomicBoolean announced = new AtomicBoolean();

    /**
     * @param env the environment that says whether the tests are required to run ({@code CI},
     *            {@code WEFT_REQUIRE_ROOT_TESTS})
     * @param err where the one line about skipping goes
     */
    public HostRequirements(Map<String, String> env, PrintStream err) {
        this.required = isTrue(env.get("CI")) || isTrue(env.get("WEFT_REQUIRE_ROOT_TESTS"));
        this.err = Objects.requireNonNull(err, "err is null");
    }

    /** Fails (in CI) or skips (elsewhere) the calling test unless this host has all of {@code needs}. */
    public static void require(Need... needs) {
        HOST.check(needs);
    }

    /** Whether a missing need fails the test rather than skipping it. */
    public boolean required() {
        return required;
    }

    /** As {@link #require(Need...)}, with this instance's environment and stderr. */
    public void check(Need... needs) {
        List<String> missing = Arrays.stream(needs).filter(n -> !n.present().getAsBoolean()).map(Need::name).toList();
        if (missing.isEmpty()) {
            return;
        }
        String lacks = "this host lacks " + String.join(", ", missing);
        if (required) {
            Assertions.fail(lacks + "; the tests that need it must run here because CI=true or"
                    + " WEFT_REQUIRE_ROOT_TESTS=1 (run scripts/ensure-test-env.sh as root, or unset both to skip them)");
        }
        if (announced.compareAndSet(false, true)) {
            err.println("weft tests: skipping the tests that need root or host tools (" + lacks + ");"
                    + " set WEFT_REQUIRE_ROOT_TESTS=1 to make them fail instead");
        }
        Assumptions.abort(lacks);
    }

    private static boolean isTrue(String value) {
        return value != null && (value.equalsIgnoreCase("true") || value.equals("1"));
    }

    /**
     * One thing a test needs from the host.
     *
     * @param name    what it is, as a failure names it, e.g. {@code root}
     * @param present whether this host has it; asked only when a test needs it
     */
    public record Need(String name, BooleanSupplier present) {
        public Need {
            Objects.requireNonNull(name, "name is null");
            Objects.requireNonNull(present, "present is null");
        }

        /** Something else, e.g. {@code Need.of("the CNI plugins", CniRuntime::pluginsInstalled)}. */
        public static Need of(String name, BooleanSupplier present) {
            return new Need(name, present);
        }

        /** Running as uid 0. */
        public static Need root() {
            return new Need("root", () -> "0".equals(output("id", "-u")));
        }

        /** The TUN device node. */
        public static Need tun() {
            return file("/dev/net/tun");
        }

        /** iproute2's ip(8) with network namespaces. */
        public static Need iproute2() {
            return new Need("iproute2 (ip netns)", () -> output("ip", "netns", "list") != null);
        }

        /** The file at {@code path}, e.g. a device node. */
        public static Need file(String path) {
            return new Need(path, () -> Files.exists(Path.of(path)));
        }

        /** The executable at {@code path}, e.g. {@code /usr/bin/tshark}; its name is the need's name. */
        public static Need executable(String path) {
            return new Need(Path.of(path).getFileName() + " (" + path + ")", () -> Files.isExecutable(Path.of(path)));
        }

        /** The command's trimmed stdout when it exits 0 within 10 s, else null (also when it cannot start). */
        private static String output(String... command) {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return null;
                }
                return p.exitValue() == 0 ? out : null;
            } catch (IOException e) {
                return null; // not installed: the need is missing, which the caller reports
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return null;
            }
        }
    }
}
