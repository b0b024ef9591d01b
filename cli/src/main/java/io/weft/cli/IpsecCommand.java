package io.weft.cli;

import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.Store;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code weft ipsec sa}: the ipsec backend's security associations on this host, for debugging. The report
 * comes from the {@code ipsec} backend provider ({@code BackendProvider.report}); the CLI never sees the
 * backend's classes.
 */
@Command(name = "ipsec", mixinStandardHelpOptions = true,
        description = "Inspect the ipsec backend (experimental).", subcommands = IpsecCommand.Sa.class)
final class IpsecCommand extends GroupCommand {

    /**
     * Prints this host's SAs. Keys are derived again from the X25519 key file, so the provider refuses unless
     * the caller can read that file.
     */
    @Command(name = "sa", mixinStandardHelpOptions = true,
            description = {"Print this host's ipsec SAs. With --wireshark, print them with their keys as lines of",
                "Wireshark's esp_sa table (Preferences > Protocols > ESP), e.g. for",
                "tshark -o esp.enable_encryption_decode:TRUE -o \"uat:esp_sa:<line>\".",
                "Refuses unless the caller can read the ipsec key file."})
    static final class Sa extends StoreCommand {
        @Option(names = "--wireshark", description = "Print Wireshark esp_sa lines, keys included.")
        boolean wireshark;

        @Option(names = "--ipsec-state-dir", paramLabel = "DIR",
                description = "Where the daemon keeps its ipsec key and SA list. Default: Backend.StateDir, else"
                        + " /var/lib/weft.")
        Path stateDir;

        @Override
        public Integer call() {
            NetworkConfig config;
            try (Store store = openStore()) {
                config = NetworkConfigParser.parse(store.readNetworkConfig());
            }
            // The flag, else WEFT_IPSEC_STATE_DIR; a blank one counts as unset, as the daemon reads it.
            Optional<Path> dir = Optional.ofNullable(stateDir).filter(d -> !d.toString().isBlank())
                    .or(context()::backendStateDir);
            context().backends().get("ipsec").report("sa", wireshark ? "wireshark" : "table", config, dir)
                    .forEach(out()::println);
            return 0;
        }
    }
}
