package io.weft.cli;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigLimits;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.store.Store;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code weft config put|get}: the network config in the store. */
@Command(name = "config", mixinStandardHelpOptions = true, description = "Store or show the network config.",
        subcommands = {ConfigCommand.Put.class, ConfigCommand.Get.class})
final class ConfigCommand extends GroupCommand {

    /** Validates a config file (or stdin), checks it is safe to run, and stores it. */
    @Command(name = "put", mixinStandardHelpOptions = true, description = {
        "Validate the network config JSON in FILE (or - for stdin) and store it.",
        "Refused: a Network wider than /8 or overlapping 0.0.0.0/8, loopback, link-local, multicast or",
        "240.0.0.0/4, and more than 1048576 subnets."})
    static final class Put extends StoreCommand {
        @Parameters(paramLabel = "FILE|-", description = "A JSON file, or - to read standard input.")
        String source;

        @Override
        public Integer call() {
            String json = read();
            NetworkConfig config = NetworkConfigParser.parse(json);
            NetworkConfigLimits.checkRanges(config);
            NetworkConfigLimits.checkSubnetCount(config);
            ConfigSecrets.refusePlaceholder(json);
            try (Store store = openStore()) {
                store.writeNetworkConfig(json);
            }
            out().println("stored network config: Network " + config.network() + ", SubnetLen "
                    + config.subnetLen() + ", " + config.subnetCount() + " subnets, Backend " + config.backend().type());
            return 0;
        }

        private String read() {
            try {
                if ("-".equals(source)) {
                    return new String(context().stdin().readAllBytes(), StandardCharsets.UTF_8);
                }
                return Files.readString(Path.of(source), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new WeftException("config file " + source + " does not exist: give the path of a JSON file, or -");
            } catch (IOException e) {
                throw new WeftException("config file " + source + " cannot be read: " + e);
            }
        }
    }

    /** Prints the stored config as stored, with {@code Backend.PSK} redacted unless asked for. */
    @Command(name = "get", mixinStandardHelpOptions = true, description = {"Print the stored network config.",
        "Backend.PSK is shown as \"" + ConfigSecrets.REDACTED + "\" unless --show-secrets is given."})
    static final class Get extends StoreCommand {
        @Option(names = "--show-secrets", description = "Print Backend.PSK as stored.")
        boolean showSecrets;

        @Override
        public Integer call() {
            String json;
            try (Store store = openStore()) {
                json = store.readNetworkConfig().strip();
            }
            out().println(showSecrets ? json : ConfigSecrets.redact(json));
            return 0;
        }
    }
}
