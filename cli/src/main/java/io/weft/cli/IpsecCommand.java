package io.weft.cli;

import io.weft.backend.ipsec.IpsecSaExport;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.BackendConfig;
import io.weft.core.spi.store.Store;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code weft ipsec sa}: the ipsec backend's security associations on this host, for debugging. */
@Command(name = "ipsec", mixinStandardHelpOptions = true,
        description = "Inspect the ipsec backend (experimental).", subcommands = IpsecCommand.Sa.class)
final class IpsecCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: sa");
    }

    /**
     * Prints this host's SAs. Keys are derived again from the X25519 key file, so the command refuses to run
     * unless the caller can read that file.
     */
    @Command(name = "sa", mixinStandardHelpOptions = true,
            description = {"Print this host's ipsec SAs. With --wireshark, print them with their keys as lines of",
                "Wireshark's esp_sa table (Preferences > Protocols > ESP), e.g. for",
                "tshark -o esp.enable_encryption_decode:TRUE -o \"uat:esp_sa:<line>\".",
                "Refuses unless the caller can read the ipsec key file."})
    static final class Sa implements Callable<Integer> {
        private final WeftCli.Context context;

        @Mixin
        StoreOptionsMixin storeFlags;

        @Option(names = "--wireshark", description = "Print Wireshark esp_sa lines, keys included.")
        boolean wireshark;

        @Option(names = "--ipsec-state-dir", paramLabel = "DIR",
                description = "Where the daemon keeps its ipsec key and SA list. Default: Backend.StateDir, else"
                        + " /var/lib/weft.")
        Path stateDir;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Sa(WeftCli.Context context) {
            this.context = context;
        }

        @Override
        public Integer call() {
            BackendConfig backend;
            try (Store store = StoreCommand.open(context, storeFlags)) {
                backend = NetworkConfigParser.parse(store.readNetworkConfig()).backend();
            }
            Map<String, String> env = new HashMap<>(context.environment());
            if (stateDir != null) {
                env.put("WEFT_IPSEC_STATE_DIR", stateDir.toString());
            }
            List<String> lines = wireshark ? IpsecSaExport.wireshark(backend, env) : IpsecSaExport.table(backend, env);
            PrintWriter out = spec.commandLine().getOut();
            lines.forEach(out::println);
            return 0;
        }
    }
}
