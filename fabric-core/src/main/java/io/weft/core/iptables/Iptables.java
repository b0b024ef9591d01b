package io.weft.core.iptables;

import io.weft.core.WeftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the iptables tools ({@code iptables}, {@code iptables-restore}) with a timeout, turning a failure
 * into a message that names the command and what it printed. A command prefix (such as
 * {@code ip netns exec NS}) lets the same code act on another network namespace. Stateless.
 */
final class Iptables {
    private static final long TIMEOUT_SECONDS = 10;
    /** How long the tools wait for the xtables lock; below {@link #TIMEOUT_SECONDS}. */
    static final String LOCK_WAIT_SECONDS = "5";
    private final List<String> prefix;

    Iptables(List<String> prefix) {
        this.prefix = List.copyOf(prefix);
    }

    /** Runs the command; true when it exits 0. */
    boolean check(List<String> args) {
        return run(args, null).exit == 0;
    }

    /** Runs the command and fails with its output unless it exits 0. */
    void mustRun(List<String> args, String stdin) {
        Result r = run(args, stdin);
        if (r.exit != 0) {
            throw new WeftException(String.join(" ", args) + " failed (exit " + r.exit + "): " + r.output.strip()
                    + "; is iptables installed and are we root?");
        }
    }

    /** Runs the command and returns what it printed; fails with its output unless it exits 0. */
    String output(List<String> args) {
        Result r = run(args, null);
        if (r.exit != 0) {
            throw new WeftException(String.join(" ", args) + " failed (exit " + r.exit + "): " + r.output.strip()
                    + "; is iptables installed and are we root?");
        }
        return r.output;
    }

    private record Result(int exit, String output) {
    }

    private Result run(List<String> args, String stdin) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(args);
        java.nio.file.Path out = null;
        try {
            // Output goes to a file, so a hung tool cannot block us in a read before the timeout applies.
            out = java.nio.file.Files.createTempFile("weft-iptables", ".out");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new WeftException(String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS
                        + " s; is another program holding the xtables lock?");
            }
            return new Result(p.exitValue(), java.nio.file.Files.readString(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new WeftException("cannot run " + cmd.get(0) + ": " + e.getMessage() + "; install iptables", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeftException("interrupted while running " + String.join(" ", args), e);
        } finally {
            if (out != null) {
                try {
                    java.nio.file.Files.deleteIfExists(out);
                } catch (IOException e) {
                    // a stray temp file is harmless; the next run makes its own
                }
            }
        }
    }
}
