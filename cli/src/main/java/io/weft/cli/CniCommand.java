package io.weft.cli;

import io.weft.cli.cni.CniPlugin;
import java.io.IOException;
import java.io.UncheckedIOException;
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
        CniPlugin.Outcome outcome = new CniPlugin(context().environment()).run(() -> {
            try {
                return context().stdin().readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        if (!outcome.stdout().isEmpty()) {
            out().println(outcome.stdout().strip());
        }
        return outcome.exitCode();
    }
}
