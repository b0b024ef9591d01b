package io.weft.cli;

import java.util.Objects;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The root {@code weft} command: it holds the subcommands, the global flags and the run's
 * {@link WeftCli.Context}, which subcommands reach through {@link ContextCommand#context()}.
 */
@Command(name = "weft", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "An etcd-backed overlay network for containers, compatible with flannel.",
        subcommands = {DaemonCommand.class, StatusCommand.class, ConfigCommand.class, LeasesCommand.class,
            CniCommand.class, DockerOptsCommand.class, IpsecCommand.class, DoctorCommand.class,
            VersionCommand.class},
        footer = {"", "Every flag can also be set in the environment as WEFT_<FLAG>",
            "(e.g. WEFT_ETCD_ENDPOINTS) or FLANNELD_<FLAG>; a flag given on the",
            "command line wins. Exit codes: 0 success, 1 runtime failure, 2 usage error.", ""})
final class WeftCommand extends GroupCommand {
    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "Print stack traces with errors.")
    boolean verbose;

    final WeftCli.Context context;

    WeftCommand(WeftCli.Context context) {
        this.context = Objects.requireNonNull(context, "context is null");
    }
}
