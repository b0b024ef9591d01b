package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.it.lab.CniRuntime;
import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import io.weft.it.lab.TcpSha;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Containers on the overlay: weft daemons on lab hosts, "containers" (namespaces) attached by weft's CNI
 * plugin as a runtime attaches them, with Debian's bridge and host-local plugins doing the work.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class CniOverlayTest {

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    @BeforeEach
    void plugins() {
        CniRuntime.requirePlugins();
    }

    private Lab lab() {
        return extension.lab();
    }

    private List<LabHost> hosts(String config, int count) {
        lab().startEtcd();
        lab().putNetworkConfig(config);
        for (int i = 1; i <= count; i++) {
            lab().addHost(i).startDaemon();
        }
        for (LabHost h : lab().hosts()) {
            Awaitility.await(h + " writes subnet.env").atMost(Lab.STARTUP).pollInterval(Duration.ofMillis(50))
                    .until(() -> h.subnetEnv().containsKey("FLANNEL_SUBNET") || !h.daemon().orElseThrow().isAlive());
            assertTrue(h.daemon().orElseThrow().isAlive(), () -> h + " daemon exited: " + h.daemon().orElseThrow().output());
        }
        return lab().hosts();
    }

    private static Command.Result inContainer(CniRuntime.Container c, Duration timeout, String... cmd) {
        List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", c.namespace()));
        full.addAll(List.of(cmd));
        return Command.run(timeout, full);
    }

    private static String ip(CniRuntime.Container c) {
        return c.address().substring(0, c.address().indexOf('/'));
    }

    @Test
    void containersOnThreeHostsReachEachOtherAndMoveTwentyMegabytes() throws Exception {
        List<LabHost> hosts = hosts("{\"Network\":\"" + Lab.OVERLAY + "\",\"Backend\":{\"Type\":\"udp\"}}", 3);
        List<List<CniRuntime.Container>> byHost = new ArrayList<>();
        for (LabHost h : hosts) {
            CniRuntime runtime = new CniRuntime(lab(), h);
            Ipv4Subnet subnet = Ipv4Subnet.containing(Ipv4.parse("subnet", h.subnetEnv().get("FLANNEL_SUBNET").split("/")[0]),
                    Integer.parseInt(h.subnetEnv().get("FLANNEL_SUBNET").split("/")[1]));
            List<CniRuntime.Container> containers = List.of(runtime.add("c1"), runtime.add("c2"));
            for (CniRuntime.Container c : containers) {
                assertTrue(subnet.contains(Ipv4.parse("address", ip(c))), c.address() + " in " + subnet);
                assertEquals("1.0.0", c.result().get("cniVersion").asText());
            }
            byHost.add(containers);
        }

        for (int a = 0; a < byHost.size(); a++) {
            for (int b = 0; b < byHost.size(); b++) {
                if (a == b) {
                    continue;
                }
                for (CniRuntime.Container from : byHost.get(a)) {
                    for (CniRuntime.Container to : byHost.get(b)) {
                        Awaitility.await(from.namespace() + " pings " + to.address()).atMost(Duration.ofSeconds(20))
                                .pollInterval(Duration.ofMillis(100))
                                .until(() -> inContainer(from, Duration.ofSeconds(5), "ping", "-n", "-c", "1", "-W", "1",
                                        ip(to)).ok());
                    }
                }
            }
        }

        CniRuntime.Container sender = byHost.get(0).get(0);
        CniRuntime.Container receiver = byHost.get(2).get(1);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        LabHost receiverHost = hosts.get(2);
        LabProcess sink = receiverHost.start("container-sink", "ip", "netns", "exec", receiver.namespace(), java,
                "-Xmx64m", "-cp", cp, TcpSha.class.getName(), "recv", "5002");
        Awaitility.await("sink listening").atMost(Duration.ofSeconds(30)).until(() -> sink.output().contains("listening"));
        Command.Result sent = inContainer(sender, Duration.ofSeconds(120), java, "-Xmx64m", "-cp", cp,
                TcpSha.class.getName(), "send", ip(receiver), "5002", "20", "7").orFail();
        Awaitility.await("sink done").atMost(Duration.ofSeconds(30)).until(() -> sink.output().contains("sha256="));
        String sentLine = sent.output().lines().filter(l -> l.startsWith("sha256=")).findFirst().orElseThrow();
        String gotLine = sink.output().lines().filter(l -> l.startsWith("sha256=")).findFirst().orElseThrow();
        assertEquals(sentLine, gotLine);
        assertTrue(gotLine.contains("bytes=" + (20L << 20)), gotLine);
    }

    @Test
    void delReleasesTheAddressRepeatsCleanlyAndCheckSeesAMissingInterface() {
        // A /30 per host leaves exactly one container address, so "gets it back" is unambiguous.
        LabHost host = hosts("{\"Network\":\"100.96.0.0/24\",\"SubnetLen\":30,\"Backend\":{\"Type\":\"udp\"}}", 1).get(0);
        CniRuntime runtime = new CniRuntime(lab(), host);
        CniRuntime.Container first = runtime.add("c1");

        String second = runtime.newNamespace("c2");
        CniRuntime.Call full = runtime.call("ADD", "c2", second, null);
        assertNotEquals(0, full.code(), "the only address is taken");
        JsonNode err = CniRuntime.json(full.stdout());
        assertTrue(err.get("code").asInt() > 0 && err.get("msg").asText().contains("no IP addresses available"), full.stdout());
        assertEquals(0, runtime.call("DEL", "c2", second, null).code(), "DEL after a failed ADD");

        assertEquals(0, runtime.call("DEL", "c1", first.namespace(), null).code());
        assertEquals(0, runtime.call("DEL", "c1", first.namespace(), null).code(), "DEL twice succeeds");
        assertEquals(0, runtime.call("DEL", "c1", null, null).code(), "DEL after the namespace is gone succeeds");

        CniRuntime.Container third = runtime.add("c3");
        assertEquals(first.address(), third.address(), "the released address is handed out again");

        CniRuntime.Call healthy = runtime.call("CHECK", "c3", third.namespace(), third.result());
        assertEquals(0, healthy.code(), healthy.stdout());
        Command.run("ip", "-n", third.namespace(), "link", "del", "eth0").orFail();
        CniRuntime.Call check = runtime.call("CHECK", "c3", third.namespace(), third.result());
        assertNotEquals(0, check.code());
        assertTrue(CniRuntime.json(check.stdout()).get("msg").asText().contains("delegate bridge CHECK"), check.stdout());

        // The daemon is gone and so is subnet.env: DEL still cleans up with what ADD saved.
        java.nio.file.Path reservation = lab().work().resolve(host.name() + "-ipam/weft-lab/" + ip(third));
        assertTrue(java.nio.file.Files.exists(reservation), "host-local keeps its reservation at " + reservation);
        assertEquals(0, host.stopDaemon());
        Command.run("rm", "-f", host.subnetFile().toString()).orFail();
        assertEquals(0, runtime.call("DEL", "c3", third.namespace(), null).code(), "DEL after the daemon is gone");
        assertTrue(!java.nio.file.Files.exists(reservation), "host-local released " + reservation);
    }
}
