package io.weft.it.lab;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a short command to completion with a timeout. Stateless. */
public final class Command {
    private Command() {
    }

    /** What a command printed and how it exited. */
    public record Result(List<String> command, int code, String output) {
        public boolean ok() {
            return code == 0;
        }

        /** This result, or an AssertionError naming the command and its output when it failed. */
        public Result orFail() {
            if (code != 0) {
                throw new AssertionError(String.join(" ", command) + " exited " + code + ": " + output.strip());
            }
            return this;
        }
    }

    /** Runs {@code command} (stdout and stderr merged), killing it after {@code timeout}. */
    public static Result run(Duration timeout, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            // Small outputs only: read after exit would deadlock on a full pipe, so read while it runs.
            byte[][] out = new byte[1][];
            Thread reader = new Thread(() -> {
                try {
                    out[0] = p.getInputStream().readAllBytes();
                } catch (IOException e) {
                    out[0] = ("(output unreadable: " + e.getMessage() + ")").getBytes(StandardCharsets.UTF_8);
                }
            }, "lab-command-output");
            reader.start();
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
                reader.join(5000);
                return new Result(command, -1, "(timed out after " + timeout.toMillis() + " ms) "
                        + (out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8)));
            }
            reader.join(5000);
            return new Result(command, p.exitValue(), out[0] == null ? "" : new String(out[0], StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(command, -1, "cannot start: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted running " + command, e);
        }
    }

    public static Result run(String... command) {
        return run(Duration.ofSeconds(30), List.of(command));
    }
}
