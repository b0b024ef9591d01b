package io.weft.core.iptables;

import io.weft.core.model.Ipv4Subnet;
import java.util.List;
import java.util.Optional;

/**
 * Reads, and never changes, whether the filter table's FORWARD chain lets the Network's traffic through: its policy
 * is ACCEPT, or weft's rules ({@link WeftRules#forward}) are hooked in, or FORWARD itself accepts traffic from and to
 * the Network. For {@code weft doctor}. Stateless; runs {@code iptables -S}.
 */
public final class ForwardCheck {
    private final Iptables iptables;

    public ForwardCheck() {
        this(List.of());
    }

    /** With a command prefix such as {@code ip netns exec NS}, for tests. */
    ForwardCheck(List<String> commandPrefix) {
        this.iptables = new Iptables(commandPrefix);
    }

    /**
     * Why FORWARD drops the Network's traffic, or empty when it lets it through.
     *
     * @throws io.weft.core.WeftException when iptables cannot be run
     */
    public Optional<String> blocks(Ipv4Subnet network) {
        List<String> forward = chain("FORWARD");
        if (forward.contains("-P FORWARD ACCEPT")) {
            return Optional.empty();
        }
        String net = network.toString();
        if (forward.contains("-A FORWARD -m comment --comment \"" + WeftRules.FORWARD_COMMENT + "\" -j "
                + WeftRules.FORWARD_CHAIN) && accepts(chain(WeftRules.FORWARD_CHAIN), WeftRules.FORWARD_CHAIN, net)) {
            return Optional.empty();
        }
        if (accepts(forward, "FORWARD", net)) {
            return Optional.empty();
        }
        String policy = forward.stream().filter(l -> l.startsWith("-P FORWARD ")).findFirst()
                .map(l -> l.substring("-P FORWARD ".length())).orElse("unknown");
        return Optional.of("the FORWARD chain's policy is " + policy + " and no rule accepts traffic from and to "
                + net);
    }

    /** Whether {@code rules} accept traffic from and to {@code net} (with or without a comment). */
    private static boolean accepts(List<String> rules, String chain, String net) {
        return rules.stream().anyMatch(l -> l.startsWith("-A " + chain + " -s " + net + " ") && l.endsWith("-j ACCEPT"))
                && rules.stream().anyMatch(l -> l.startsWith("-A " + chain + " -d " + net + " ")
                        && l.endsWith("-j ACCEPT"));
    }

    private List<String> chain(String chain) {
        List<String> args = List.of("iptables", "--wait", Iptables.LOCK_WAIT_SECONDS, "-t", "filter", "-S", chain);
        return iptables.check(args) ? iptables.output(args).lines().map(String::strip).toList() : List.of();
    }
}
