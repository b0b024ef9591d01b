package io.weft.core.iptables;

import io.weft.core.model.Ipv4Subnet;
import java.util.ArrayList;
import java.util.List;

/**
 * The rules weft installs, with the same effect as flanneld's. Masquerade (in nat, chain WEFT-POSTRTG,
 * hooked into POSTROUTING): traffic within the Network returns unmasqueraded; traffic from outside to
 * this host's subnet is left alone; traffic from the Network to outside it, multicast excepted, is
 * masqueraded; traffic into the Network from outside is masqueraded. Forwarding (in filter, chain
 * WEFT-FWD, hooked into FORWARD): accept traffic from and to the Network. Stateless.
 */
final class WeftRules {
    static final String MASQ_CHAIN = "WEFT-POSTRTG";
    static final String FORWARD_CHAIN = "WEFT-FWD";
    static final String MASQ_COMMENT = "weft masq";
    static final String FORWARD_COMMENT = "weft forward";

    private WeftRules() {
    }

    /** The jump from POSTROUTING into weft's chain. */
    static IptablesRule masqJump() {
        return new IptablesRule("nat", "POSTROUTING", List.of("-m", "comment", "--comment", MASQ_COMMENT, "-j", MASQ_CHAIN));
    }

    /** The jump from FORWARD into weft's chain. */
    static IptablesRule forwardJump() {
        return new IptablesRule("filter", "FORWARD",
                List.of("-m", "comment", "--comment", FORWARD_COMMENT, "-j", FORWARD_CHAIN));
    }

    static List<IptablesRule> masq(Ipv4Subnet network, Ipv4Subnet subnet, boolean randomFully) {
        String net = network.toString();
        List<String> fully = randomFully ? List.of("--random-fully") : List.of();
        List<IptablesRule> rules = new ArrayList<>();
        rules.add(rule(MASQ_CHAIN, List.of("-s", net, "-d", net), "RETURN", List.of()));
        rules.add(rule(MASQ_CHAIN, List.of("!", "-s", net, "-d", subnet.toString()), "RETURN", List.of()));
        rules.add(rule(MASQ_CHAIN, List.of("-s", net, "!", "-d", "224.0.0.0/4"), "MASQUERADE", fully));
        rules.add(rule(MASQ_CHAIN, List.of("!", "-s", net, "-d", net), "MASQUERADE", fully));
        return rules;
    }

    static List<IptablesRule> forward(Ipv4Subnet network) {
        String net = network.toString();
        return List.of(
                new IptablesRule("filter", FORWARD_CHAIN,
                        List.of("-s", net, "-m", "comment", "--comment", FORWARD_COMMENT, "-j", "ACCEPT")),
                new IptablesRule("filter", FORWARD_CHAIN,
                        List.of("-d", net, "-m", "comment", "--comment", FORWARD_COMMENT, "-j", "ACCEPT")));
    }

    private static IptablesRule rule(String chain, List<String> match, String target, List<String> targetArgs) {
        List<String> spec = new ArrayList<>(match);
        spec.addAll(List.of("-m", "comment", "--comment", MASQ_COMMENT, "-j", target));
        spec.addAll(targetArgs);
        return new IptablesRule("nat", chain, spec);
    }
}
