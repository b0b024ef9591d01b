package io.weft.cli;

import java.util.Locale;
import java.util.Map;
import picocli.CommandLine;

/**
 * Default values for flags from the environment: {@code --etcd-endpoints} falls back to
 * {@code WEFT_ETCD_ENDPOINTS}, then to flanneld's {@code FLANNELD_ETCD_ENDPOINTS}. A command-line flag wins.
 * Immutable.
 */
final class EnvironmentDefaults implements CommandLine.IDefaultValueProvider {
    private final Map<String, String> environment;

    EnvironmentDefaults(Map<String, String> environment) {
        this.environment = environment;
    }

    @Override
    public String defaultValue(CommandLine.Model.ArgSpec spec) {
        if (!(spec instanceof CommandLine.Model.OptionSpec option) || !option.longestName().startsWith("--")) {
            return null;
        }
        String flag = option.longestName().substring(2).toUpperCase(Locale.ROOT).replace('-', '_');
        String value = environment.get("WEFT_" + flag);
        if (value == null) {
            value = environment.get("FLANNELD_" + flag);
        }
        return value;
    }
}
