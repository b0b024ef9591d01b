package io.weft.cli;

import io.weft.cli.cni.CniPlugin;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.Map;
import picocli.CommandLine.Command;

/** {@code weft cni}: the CNI plugin entry point that the {@code cni/weft} shim runs for container runtimes. */
@Command(name = "cni", mixinStandardHelpOptions = true, description = {
    "The CNI plugin, run by container runtimes through the cni/weft shim.",
    "Reads CNI_COMMAND and the other CNI_* variables and the network config on",
    "stdin; delegates to the bridge plugin with host-local IPAM over this host's",
    "subnet from subnet.env. Errors are CNI error JSON on stdout with exit 1."})
final class CniCommand extends ContextCommand {
    @Override
    public Integer call() {
        return runPlugin(context().environment(), context().stdin(), out());
    }

    /**
     * Runs the plugin once: CNI_* from {@code environment}, the network config from {@code stdin}, the
     * result or CNI error JSON to {@code out}. Returns the exit code. {@link Main} calls it directly for a
     * bare {@code weft cni}, without building the command tree.
     */
    static int runPlugin(Map<String, String> environment, InputStream stdin, PrintWriter out) {
        CniPlugin.Outcome outcome = new CniPlugin(environment).run(() -> {
            try {
                return stdin.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!outcome.stdout().isEmpty()) {
            out.println(outcome.stdout().strip());
        }
        out.flush();
        return outcome.exitCode();
    }
}
