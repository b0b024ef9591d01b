package io.weft.cli;

import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command that only holds subcommands, such as {@code weft leases}: run without one it is a usage error
 * that names them in order, e.g. {@code missing subcommand: list, revoke or reserve}. Not thread-safe.
 */
abstract class GroupCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        List<String> names = new ArrayList<>(spec.subcommands().keySet());
        names.remove("help");
        String last = names.remove(names.size() - 1);
        String all = names.isEmpty() ? last : String.join(", ", names) + " or " + last;
        throw new ParameterException(spec.commandLine(), "missing subcommand: " + all);
    }
}
