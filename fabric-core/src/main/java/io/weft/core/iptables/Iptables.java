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

    String output(List<String> args) {
        Result r = run(args, null);
        if (r.exit != 0) {
            throw new WeftException(String.join(" ", args) + " failed (exit " + r.exit + "): " + r.output.strip());
        }
        return r.output;
    }

    private record Result(int exit, String output) {
    }

    private Result run(List<String> args, String stdin) {
        List<String> cmd = new ArrayList<>(prefix);
        cmd.addAll(args);
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            try (var in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new WeftException(String.join(" ", args) + " did not finish in " + TIMEOUT_SECONDS + " s");
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new WeftException("cannot run " + cmd.get(0) + ": " + e.getMessage() + "; install iptables", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new WeftException("interrupted while running " + String.join(" ", args), e);
        }
    }
}
