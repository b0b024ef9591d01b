package io.weft.core.iptables;

import java.util.List;
import java.util.Objects;

/**
 * One iptables rule: its table, its chain and the match-and-target arguments. Immutable.
 */
record IptablesRule(String table, String chain, List<String> spec) {
    IptablesRule {
        Objects.requireNonNull(table, "table is null");
        Objects.requireNonNull(chain, "chain is null");
        spec = List.copyOf(spec);
    }

    /** The rule as an iptables-restore line, e.g. {@code -A WEFT-POSTRTG -s ... -j RETURN}. */
    String restoreLine() {
        StringBuilder b = new StringBuilder("-A ").append(chain);
        for (String arg : spec) {
            b.append(' ').append(arg.contains(" ") ? "\"" + arg + "\"" : arg);
        }
        return b.toString();
    }
}
