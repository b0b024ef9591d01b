package io.weft.core.iptables;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.testing.HostRequirements;
import io.weft.core.testing.HostRequirements.Need;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link ForwardCheck} against real iptables in a network namespace this test creates and deletes. */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ForwardCheckNetnsTest {
    private static final Ipv4Subnet NET = Ipv4Subnet.parse("100.96.0.0/16");
    private final String ns = "weft-fwdcheck-" + ProcessHandle.current().pid();
    private boolean made;

    private static void run(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IOException(String.join(" ", cmd) + " failed: " + out);
        }
    }

    private void iptables(String... args) throws IOException, InterruptedException {
        String[] cmd = new String[args.length + 5];
        System.arraycopy(new String[] {"ip", "netns", "exec", ns, "iptables"}, 0, cmd, 0, 5);
        System.arraycopy(args, 0, cmd, 5, args.length);
        run(cmd);
    }

    @BeforeEach
    void namespace() throws Exception {
        HostRequirements.require(Need.root(), Need.iproute2(), Need.executable("/usr/sbin/iptables-save"));
        run("ip", "netns", "add", ns);
        made = true;
    }

    @AfterEach
    void removeNamespace() throws Exception {
        if (made) {
            run("ip", "netns", "del", ns);
        }
    }

    @Test
    void acceptPolicyWeftsRulesOrPlainAcceptRulesLetTheNetworkThroughAndADropPolicyAloneDoesNot() throws Exception {
        ForwardCheck check = new ForwardCheck(List.of("ip", "netns", "exec", ns));
        assertEquals(Optional.empty(), check.blocks(NET), "the default policy is ACCEPT");

        iptables("-P", "FORWARD", "DROP");
        assertEquals(Optional.of("the FORWARD chain's policy is DROP and no rule accepts traffic from and to"
                + " 100.96.0.0/16"), check.blocks(NET));

        try (IptablesManager weft = new IptablesManager(List.of("ip", "netns", "exec", ns), NET,
                Ipv4Subnet.parse("100.96.34.0/24"), false, true, Duration.ofSeconds(5))) {
            weft.install();
            assertEquals(Optional.empty(), check.blocks(NET), "weft's --iptables-forward-rules");
        }
        assertEquals(Optional.of("the FORWARD chain's policy is DROP and no rule accepts traffic from and to"
                + " 100.96.0.0/16"), check.blocks(NET), "weft's rules removed");

        iptables("-A", "FORWARD", "-s", NET.toString(), "-j", "ACCEPT");
        iptables("-A", "FORWARD", "-d", NET.toString(), "-j", "ACCEPT");
        assertEquals(Optional.empty(), check.blocks(NET), "rules of one's own");
    }
}
