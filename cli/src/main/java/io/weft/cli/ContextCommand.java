package io.weft.cli;

import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The shape of a subcommand that uses the run's {@link WeftCli.Context}: it declares its own flags and
 * implements {@link #call()}, which returns the exit code. The context is wired once, into the root
 * {@link WeftCommand}, and reached through picocli's spec, so subcommands need no constructor. One instance
 * per run, used on the thread that runs the command.
 */
abstract class ContextCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    /** What the commands of this run share. */
    WeftCli.Context context() {
        return ((WeftCommand) spec.root().userObject()).context;
    }

    /** Where the command prints its results. */
    PrintWriter out() {
        return spec.commandLine().getOut();
    }
}
