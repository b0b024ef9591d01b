package io.weft.core.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.testing.HostRequirements;
import io.weft.core.testing.HostRequirements.Need;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The iptables rules in a network namespace this test creates (never the root namespace): installed,
 * restored after deletion, following the subnet, and removed.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class IptablesManagerNetnsTest {
    private static final Ipv4Subnet NET = Ipv4Subnet.parse("100.96.0.0/16");
    private final String ns = "weft-ipt-" + ProcessHandle.current().pid();
    private IptablesManager manager;

    private static String run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private String save(String table) throws IOException, InterruptedException {
        return run("ip", "netns", "exec", ns, "iptables-save", "-t", table);
    }

    @BeforeEach
    void namespace() throws Exception {
        HostRequirements.require(Need.root(), Need.iproute2(), Need.executable("/usr/sbin/iptables-save"));
        run("ip", "netns", "add", ns);
        manager = new IptablesManager(List.of("ip", "netns", "exec", ns), NET, Ipv4Subnet.parse("100.96.34.0/24"),
                true, true, Duration.ofSeconds(5));
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (manager == null) {
            return; // skipped before the namespace was made
        }
        manager.close();
        run("ip", "netns", "del", ns);
    }

    @Test
    void installsFlannelEquivalentRulesWithItsOwnChains() throws Exception {
        manager.install();
        String nat = save("nat");
        assertTrue(nat.contains("-A POSTROUTING -m comment --comment \"weft masq\" -j WEFT-POSTRTG\n"), nat);
        assertTrue(nat.contains(String.join("\n",
                "-A WEFT-POSTRTG -s 100.96.0.0/16 -d 100.96.0.0/16 -m comment --comment \"weft masq\" -j RETURN",
                "-A WEFT-POSTRTG ! -s 100.96.0.0/16 -d 100.96.34.0/24 -m comment --comment \"weft masq\" -j RETURN",
                "-A WEFT-POSTRTG -s 100.96.0.0/16 ! -d 224.0.0.0/4 -m comment --comment \"weft masq\" -j MASQUERADE --random-fully",
                "-A WEFT-POSTRTG ! -s 100.96.0.0/16 -d 100.96.0.0/16 -m comment --comment \"weft masq\" -j MASQUERADE --random-fully",
                "")), nat);
        String filter = save("filter");
        assertTrue(filter.contains("-A FORWARD -m comment --comment \"weft forward\" -j WEFT-FWD\n"), filter);
        assertTrue(filter.contains("-A WEFT-FWD -s 100.96.0.0/16 -m comment --comment \"weft forward\" -j ACCEPT\n"
                + "-A WEFT-FWD -d 100.96.0.0/16 -m comment --comment \"weft forward\" -j ACCEPT\n"), filter);

        manager.install();
        assertEquals(strip(nat), strip(save("nat")), "installing twice changes nothing");
        assertEquals(1, save("nat").lines().filter(l -> l.contains("-j WEFT-POSTRTG")).count());
        assertFalse(manager.resync(), "nothing to restore");
    }

    @Test
    void flushedOrUnhookedRulesAreRestoredOnResync() throws Exception {
        manager.install();
        String before = save("nat");
        run("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-F", "WEFT-POSTRTG");
        assertTrue(manager.resync());
        assertEquals(strip(before), strip(save("nat")));

        run("ip", "netns", "exec", ns, "iptables", "-t", "nat", "-D", "POSTROUTING", "-m", "comment", "--comment",
                "weft masq", "-j", "WEFT-POSTRTG");
        run("ip", "netns", "exec", ns, "iptables", "-F", "WEFT-FWD");
        assertTrue(manager.resync());
        assertEquals(strip(before), strip(save("nat")));
        assertTrue(save("filter").contains("-A WEFT-FWD -d 100.96.0.0/16"));
    }

    @Test
    void masqueradeFollowsANewSubnet() throws Exception {
        manager.install();
        manager.subnetChanged(Ipv4Subnet.parse("100.96.35.0/24"));
        String nat = save("nat");
        assertTrue(nat.contains("-d 100.96.35.0/24"), nat);
        assertFalse(nat.contains("-d 100.96.34.0/24"), nat);
    }

    @Test
    void closeRemovesEveryWeftRuleAndChain() throws Exception {
        manager.install();
        manager.close();
        assertFalse(save("nat").contains("WEFT"), save("nat"));
        assertFalse(save("filter").contains("WEFT"), save("filter"));
        assertFalse(manager.resync(), "a closed manager restores nothing");
    }

    private static String strip(String save) {
        return save.lines().filter(l -> l.startsWith("-A")).reduce("", (a, b) -> a + b + "\n");
    }
}
