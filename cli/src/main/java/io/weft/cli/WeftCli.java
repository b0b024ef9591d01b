package io.weft.cli;

import io.weft.core.WeftException;
import io.weft.core.plugin.PluginRegistry;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.store.StoreProvider;
import java.io.InputStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import picocli.CommandLine;

/**
 * Wires the {@code weft} command: the plugin registries, the environment used for flag defaults, where
 * shutdown signals come from, and the error handling that turns failures into one line on stderr with
 * exit code 1 (2 for usage errors). Built once per run by {@link Main}, or by tests with their own parts.
 */
public final class WeftCli {
    private final Context context;

    /**
     * What the commands share. Immutable.
     *
     * @param stores     store providers by name
     * @param backends   backend providers by name
     * @param onShutdown registers what to run when the process is told to stop
     * @param clock      the wall and monotonic clocks
     * @param stdin       standard input, for {@code config put -} and {@code cni}
     * @param environment the process environment, for {@code cni} and {@code docker-opts}
     */
    record Context(PluginRegistry<StoreProvider> stores, PluginRegistry<BackendProvider> backends,
            Consumer<Runnable> onShutdown, HostClock clock, InputStream stdin, Map<String, String> environment) {
    }

    private final Map<String, String> environment;
    private final PrintWriter out;
    private final PrintWriter err;

    public WeftCli(PluginRegistry<StoreProvider> stores, PluginRegistry<BackendProvider> backends,
            Consumer<Runnable> onShutdown, Map<String, String> environment, InputStream stdin, PrintWriter out,
            PrintWriter err) {
        this.environment = Map.copyOf(environment);
        this.context = new Context(stores, backends, onShutdown, HostClock.system(), stdin, this.environment);
        this.out = Objects.requireNonNull(out, "out is null");
        this.err = Objects.requireNonNull(err, "err is null");
    }

    static WeftCli forProduction() {
        ClassLoader loader = WeftCli.class.getClassLoader();
        return new WeftCli(
                PluginRegistry.load("store", StoreProvider.class, StoreProvider::name, loader),
                PluginRegistry.load("backend", BackendProvider.class, BackendProvider::name, loader),
                new SignalShutdown(),
                System.getenv(),
                System.in,
                new PrintWriter(System.out, true),
                new PrintWriter(System.err, true));
    }

    /** Runs the command line and returns the exit code. */
    public int execute(String... args) {
        WeftCommand root = new WeftCommand(context);
        CommandLine cmd = new CommandLine(root);
        cmd.setOut(out);
        cmd.setErr(err);
        cmd.setDefaultValueProvider(new EnvironmentDefaults(environment));
        cmd.setOverwrittenOptionsAllowed(true); // the last of a repeated flag wins, as with flanneld's flags
        cmd.setParameterExceptionHandler((e, argv) -> {
            CommandLine sub = e.getCommandLine();
            err.println("weft: " + e.getMessage() + " (see '" + sub.getCommandSpec().qualifiedName() + " --help')");
            err.flush();
            return CommandLine.ExitCode.USAGE;
        });
        cmd.setExecutionExceptionHandler((e, sub, parsed) -> {
            if (e instanceof WeftException) {
                err.println("weft: " + e.getMessage());
            } else {
                err.println("weft: internal error: " + e);
            }
            if (root.verbose) {
                e.printStackTrace(err);
            }
            err.flush();
            return CommandLine.ExitCode.SOFTWARE;
        });
        int code = cmd.execute(args);
        out.flush();
        err.flush();
        return code;
    }
}
