package io.weft.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/** The root {@code weft} command: it only holds the subcommands and the global flags. */
@Command(name = "weft", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "An etcd-backed overlay network for containers, compatible with flannel.",
        subcommands = {DaemonCommand.class, StatusCommand.class, ConfigCommand.class, LeasesCommand.class,
            CniCommand.class, DockerOptsCommand.class, IpsecCommand.class, VersionCommand.class},
        footer = {"", "Every flag can also be set in the environment as WEFT_<FLAG>",
            "(e.g. WEFT_ETCD_ENDPOINTS) or FLANNELD_<FLAG>; a flag given on the",
            "command line wins. Exit codes: 0 success, 1 runtime failure, 2 usage error.", ""})
final class WeftCommand implements Runnable {
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        java.util.List<String> names = new java.util.ArrayList<>(spec.subcommands().keySet());
        names.remove("help");
        String last = names.remove(names.size() - 1);
        throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                "missing subcommand: " + String.join(", ", names) + " or " + last);
    }
}
