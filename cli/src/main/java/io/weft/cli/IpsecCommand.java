package io.weft.cli;

import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.Store;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
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
                "Refuses unless the caller owns the ipsec key file, as the daemon does; give it the",
                "daemon's --ipsec-state-dir and --ipsec-psk-file (or their environment variables)."})
    static final class Sa extends StoreCommand {
        @Option(names = "--wireshark", description = "Print Wireshark esp_sa lines, keys included.")
        boolean wireshark;

        @Mixin
        IpsecHostOptions host;

        @Override
        public Integer call() {
            NetworkConfig config;
            try (Store store = openStore()) {
                config = NetworkConfigParser.parse(store.readNetworkConfig());
            }
            context().backends().get("ipsec").report("sa", wireshark ? "wireshark" : "table", config,
                    host.stateDir(), host.pskFile()).forEach(out()::println);
            return 0;
        }
    }
}
