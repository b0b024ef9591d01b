package io.weft.core.iptables;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps weft's iptables rules in place: installs them atomically with {@code iptables-restore --noflush}
 * (declaring a chain there replaces its rules in one commit), checks them every resync interval and
 * restores them if someone deleted them, and removes them on close. Masquerade rules follow this host's
 * subnet when its lease changes. Runs its checks on the thread that calls {@link #run()}. Thread-safe.
 */
public final class IptablesManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(IptablesManager.class);

    private final Iptables iptables;
    private final Ipv4Subnet network;
    private final boolean masq;
    private final boolean forward;
    private final Duration resync;
    private final Object lock = new Object();
    private Ipv4Subnet subnet;
    private Boolean randomFully;
    private boolean closed;

    /**
     * @param commandPrefix prepended to every iptables command, e.g. {@code ip netns exec NS}; empty normally
     * @param masq          install the masquerade rules ({@code --ip-masq})
     * @param forward       install the FORWARD accept rules ({@code --iptables-forward-rules})
     */
    public IptablesManager(List<String> commandPrefix, Ipv4Subnet network, Ipv4Subnet subnet, boolean masq,
            boolean forward, Duration resync) {
        this.iptables = new Iptables(commandPrefix);
        this.network = Objects.requireNonNull(network, "network is null");
        this.subnet = Objects.requireNonNull(subnet, "subnet is null");
        this.masq = masq;
        this.forward = forward;
        this.resync = Objects.requireNonNull(resync, "resync is null");
    }

    /** Installs every rule now; fails with the tool's message if it cannot. */
    public void install() {
        synchronized (lock) {
            if (masq) {
                installMasq();
            }
            if (forward) {
                apply("filter", WeftRules.FORWARD_CHAIN, WeftRules.forward(network));
                ensureJump(WeftRules.forwardJump());
            }
            LOG.info("iptables rules installed masq={} forward={} network={} subnet={}", masq, forward, network, subnet);
        }
    }

    /** This host's subnet changed: the masquerade rules follow it. */
    public void subnetChanged(Ipv4Subnet newSubnet) {
        synchronized (lock) {
            subnet = newSubnet;
            if (masq && !closed) {
                installMasq();
            }
        }
    }

    /** Checks the rules and restores any that are missing; true if something had to be restored. */
    public boolean resync() {
        synchronized (lock) {
            if (closed) {
                return false;
            }
            List<IptablesRule> missing = new ArrayList<>();
            if (masq) {
                missing.addAll(missing(masqRules()));
                missing.addAll(missing(List.of(WeftRules.masqJump())));
            }
            if (forward) {
                missing.addAll(missing(WeftRules.forward(network)));
                missing.addAll(missing(List.of(WeftRules.forwardJump())));
            }
            if (missing.isEmpty()) {
                return false;
            }
            LOG.warn("iptables rules missing count={} first=\"{}\"; restoring", missing.size(),
                    missing.get(0).restoreLine());
            install();
            return true;
        }
    }

    /** How often {@link #resyncStep()} should run. */
    public Duration resyncInterval() {
        return resync;
    }

    /** One periodic resync (nothing once closed); a failure is logged and left to the next step. */
    public void resyncStep() {
        if (isClosed()) {
            return;
        }
        try {
            resync();
        } catch (WeftException e) {
            LOG.warn("iptables resync failed error=\"{}\"; retrying in {}s", e.getMessage(), resync.toSeconds());
        }
    }

    private boolean isClosed() {
        synchronized (lock) {
            return closed;
        }
    }

    /** Removes every weft rule and chain. */
    @Override
    public void close() {
        synchronized (lock) {
            if (closed) {
                return;
            }
            closed = true;
            if (masq) {
                remove(WeftRules.masqJump(), WeftRules.MASQ_CHAIN);
            }
            if (forward) {
                remove(WeftRules.forwardJump(), WeftRules.FORWARD_CHAIN);
            }
            LOG.info("iptables rules removed");
        }
    }

    private void installMasq() {
        if (randomFully == null) {
            try {
                apply("nat", WeftRules.MASQ_CHAIN, WeftRules.masq(network, subnet, true));
                randomFully = true;
            } catch (WeftException e) {
                String m = e.getMessage().toLowerCase(java.util.Locale.ROOT);
                if (!m.contains("random-fully") && !m.contains("unknown option") && !m.contains("unknown arg")) {
                    throw e; // some other failure: report it, and try --random-fully again next time
                }
                LOG.info("MASQUERADE --random-fully is not supported here; masquerading without it error=\"{}\"",
                        e.getMessage());
                randomFully = false;
                apply("nat", WeftRules.MASQ_CHAIN, masqRules());
            }
        } else {
            apply("nat", WeftRules.MASQ_CHAIN, masqRules());
        }
        ensureJump(WeftRules.masqJump());
    }

    private List<IptablesRule> masqRules() {
        return WeftRules.masq(network, subnet, randomFully == null || randomFully);
    }

    private void apply(String table, String chain, List<IptablesRule> rules) {
        StringBuilder in = new StringBuilder("*").append(table).append('\n');
        in.append(':').append(chain).append(" - [0:0]\n");
        for (IptablesRule r : rules) {
            in.append(r.restoreLine()).append('\n');
        }
        in.append("COMMIT\n");
        iptables.mustRun(List.of("iptables-restore", "--noflush", "--wait", Iptables.LOCK_WAIT_SECONDS), in.toString());
    }

    private void ensureJump(IptablesRule jump) {
        if (!iptables.check(command("-C", jump))) {
            iptables.mustRun(insertFirst(jump), null);
        }
    }

    private List<IptablesRule> missing(List<IptablesRule> rules) {
        List<IptablesRule> out = new ArrayList<>();
        for (IptablesRule r : rules) {
            if (!iptables.check(command("-C", r))) {
                out.add(r);
            }
        }
        return out;
    }

    private void remove(IptablesRule jump, String chain) {
        try {
            for (int i = 0; i < 16 && iptables.check(command("-C", jump)); i++) {
                iptables.mustRun(command("-D", jump), null); // someone may have added it twice
            }
            if (iptables.check(iptablesCommand(jump.table(), "-L", chain, "-n"))) {
                iptables.mustRun(iptablesCommand(jump.table(), "-F", chain), null);
                iptables.mustRun(iptablesCommand(jump.table(), "-X", chain), null);
            }
        } catch (WeftException e) {
            LOG.warn("iptables cleanup failed chain={} error=\"{}\"", chain, e.getMessage());
        }
    }

    private static List<String> command(String op, IptablesRule r) {
        List<String> cmd = iptablesCommand(r.table(), op, r.chain());
        cmd.addAll(r.spec());
        return cmd;
    }

    private static List<String> insertFirst(IptablesRule r) {
        List<String> cmd = iptablesCommand(r.table(), "-I", r.chain(), "1");
        cmd.addAll(r.spec());
        return cmd;
    }

    /** {@code iptables} with a bounded wait for the xtables lock, on {@code table}, then {@code args}. */
    private static List<String> iptablesCommand(String table, String... args) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "--wait", Iptables.LOCK_WAIT_SECONDS, "-t", table));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
