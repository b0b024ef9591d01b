package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import io.weft.it.lab.PingRun;
import io.weft.it.lab.TcpSha;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The host-gw backend end to end: real {@code bin/weft daemon} processes in lab namespaces route each peer's subnet
 * via its PublicIP on eth0, as flanneld's host-gw does; the kernel forwards every packet. Every packet stays inside
 * the lab's namespaces.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class HostGwOverlayTest {
    private static final String CONFIG = Lab.networkConfig("{\"Type\":\"host-gw\"}");

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    private List<LabHost> startHosts(String[] flags, int... indexes) {
        lab().startEtcd(CONFIG);
        List<LabHost> hosts = lab().startHosts(flags, indexes);
        hosts.forEach(HostGwOverlayTest::addGatewayAddress);
        return hosts;
    }

    /**
     * host-gw gives no device an overlay address (a container bridge such as cni0 would hold one): the test puts the
     * subnet's network address on lo, so pings and TCP have an end in the host's subnet.
     */
    static void addGatewayAddress(LabHost h) {
        h.exec("ip", "addr", "add", h.overlayAddress() + "/32", "dev", "lo").orFail();
    }

    /** The address in {@code h}'s subnet that the test answers on. */
    static String gateway(LabHost h) {
        return h.overlayAddress();
    }

    static boolean hasRoute(LabHost on, LabHost peer) {
        return on.exec("ip", "route").output().contains(peer.subnet() + " via " + peer.address() + " dev eth0");
    }

    @Test
    void hostGwThreeHostsWithFlanneldsLeasePingEveryPairAndMove50Megabytes() throws Exception {
        List<LabHost> hosts = startHosts(new String[0], 1, 2, 3);
        Set<String> subnets = new HashSet<>();
        for (LabHost h : hosts) {
            subnets.add(h.subnet());
            assertEquals("1500", h.subnetEnv().get("FLANNEL_MTU"), "no encapsulation: the external MTU");
            assertEquals("{\"PublicIP\":\"" + h.address() + "\",\"PublicIPv6\":null,\"BackendType\":\"host-gw\"}",
                    lab().leaseValue(h), "flanneld's lease value, byte for byte");
        }
        assertEquals(3, subnets.size(), "distinct subnets " + subnets);
        Lab.forEveryPair(hosts, (from, to) -> {
            from.awaitPing(gateway(to), Duration.ofSeconds(20));
            assertTrue(hasRoute(from, to), from + " routes " + to + "'s subnet via its PublicIP");
        });
        LabHost h2 = hosts.get(1);
        TcpSha.start(hosts.get(0), h2, 5001, 50, 4).awaitIntact(Duration.ofSeconds(150));
    }

    @Test
    void hostGwJoiningHostIsReachedWithinTwoSecondsAndALeavingHostsRouteGoesFromTheOthers() throws Exception {
        List<LabHost> first = startHosts(new String[0], 1, 2, 3);
        first.get(0).awaitPing(gateway(first.get(1)), Duration.ofSeconds(20));

        LabHost fourth = lab().joinHost(4, first, Duration.ofSeconds(2), HostGwOverlayTest::addGatewayAddress);

        assertEquals(0, fourth.stopDaemon(), "clean exit");
        for (LabHost h : first) {
            Awaitility.await(h.name() + " drops h4's route").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100)).until(() -> !hasRoute(h, fourth));
        }
        // Its own routes to the others went with it (--revoke-lease-on-exit).
        assertFalse(fourth.exec("ip", "route").output().contains("100.96."), fourth.exec("ip", "route").output());
    }

    @Test
    void hostGwRefusesAPeerOnAnotherL2SubnetWithALineThatSaysToUseVxlan() throws Exception {
        List<LabHost> hosts = startHosts(new String[0], 1);
        LabHost h1 = hosts.get(0);
        // h9 shares the bridge, but its eth0 is 198.18.0.200/25: to it, 198.18.0.1 is on another L2 subnet.
        LabHost far = lab().addHost(200, 25);
        far.startDaemon();
        far.awaitSubnetEnv();
        String line = "refusing peer " + h1.subnet() + " at 198.18.0.1: it is not on eth0's subnets [198.18.0.128/25],"
                + " and host-gw only routes to hosts on the same L2 subnet; use the vxlan backend (Backend.Type"
                + " \"vxlan\", with DirectRouting true for the peers that do share it)";
        LabProcess daemon = far.daemon().orElseThrow();
        Awaitility.await("the refusal is logged").atMost(Duration.ofSeconds(10)).until(() -> daemon.output()
                .contains(line));
        assertFalse(far.exec("ip", "route").output().contains(h1.subnet()), "no route to the refused peer");
        assertTrue(far.status().output().contains("\"state\" : \"refused: not on this L2 subnet\""));
        Awaitility.await("h1 routes to h200").atMost(Duration.ofSeconds(10)).until(() -> hasRoute(h1, far));
    }

    @Test
    void hostGwRouteRemovedByHandComesBackWithinTheResyncPeriodAndNoPingIsLostOverARestart() throws Exception {
        List<LabHost> hosts = startHosts(new String[] {"--route-resync", "2"}, 1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        h1.awaitPing(gateway(h2), Duration.ofSeconds(20));
        h1.exec("ip", "route", "del", h2.subnet()).orFail();
        Awaitility.await("route back").atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> hasRoute(h1, h2));
        assertEquals(1.0, h1.metrics().get("weft_repaired_total{kind=route}"));

        PingRun ping = PingRun.start(h1, gateway(h2), 60);
        assertEquals(0, h1.stopDaemon());
        assertTrue(hasRoute(h1, h2), "SIGTERM leaves the route");
        h1.restartDaemon();
        ping.assertNoneLost(Duration.ofSeconds(40));
    }
}
