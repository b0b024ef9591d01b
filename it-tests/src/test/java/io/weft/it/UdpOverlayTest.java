package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.PingRun;
import io.weft.it.lab.TcpSha;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The udp backend end to end: real {@code bin/weft daemon} processes in lab namespaces, one etcd, real
 * TUN devices, real pings and TCP. Every packet stays inside the lab's namespaces.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class UdpOverlayTest {
    private static final String CONFIG = Lab.networkConfig("{\"Type\":\"udp\"}");

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    private List<LabHost> startHosts(int... indexes) {
        lab().startEtcd(CONFIG);
        return lab().startHosts(indexes);
    }

    @Test
    void threeHostsGetDistinctSubnetsPingEveryPairAndMove50MegabytesIntact() throws Exception {
        List<LabHost> hosts = startHosts(1, 2, 3);
        Set<String> subnets = new HashSet<>();
        for (LabHost h : hosts) {
            Map<String, String> env = h.subnetEnv();
            assertEquals(Lab.OVERLAY, env.get("FLANNEL_NETWORK"));
            assertEquals("1472", env.get("FLANNEL_MTU"), "veth MTU 1500 minus 28");
            assertEquals("false", env.get("FLANNEL_IPMASQ"));
            assertTrue(env.get("FLANNEL_SUBNET").matches("100\\.96\\.\\d+\\.1/24"), env.toString());
            subnets.add(h.subnet());
        }
        assertEquals(3, subnets.size(), "distinct subnets " + subnets);

        Lab.forEveryPair(hosts, (from, to) -> from.awaitPing(to.overlayAddress(), Duration.ofSeconds(20)));

        TcpSha.start(hosts.get(0), hosts.get(1), 5001, 50, 4).awaitIntact(Duration.ofSeconds(150));
    }

    @Test
    void aJoiningHostIsReachedWithinTwoSecondsAndAStoppedOnesRouteGoes() throws Exception {
        List<LabHost> first = startHosts(1, 2, 3);
        first.get(0).awaitPing(first.get(1).overlayAddress(), Duration.ofSeconds(20));

        LabHost fourth = lab().joinHost(4, first, Duration.ofSeconds(2));

        // A clean stop with --revoke-lease-on-exit: exit 0, the device is gone, the lease is revoked, and
        // every peer drops the route. (By default the lease is kept, so a restart gets the subnet back.)
        String key = fourth.leaseKey();
        String target = fourth.overlayAddress();
        assertEquals(0, fourth.stopDaemon(), "clean exit");
        assertTrue(fourth.exec("ip", "link", "show", "weft0").output().contains("does not exist"));
        assertEquals("", lab().etcdctl("get", key).orFail().output().strip(), "the lease is revoked");
        for (LabHost h : first) {
            Awaitility.await(h.name() + " drops h4's route").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> h.exec(Duration.ofSeconds(5), "ping", "-n", "-c", "1", "-W", "1", target).output()
                            .contains("Destination Net Unreachable"));
        }
    }

    @Test
    void unleasedDestinationsGetNetUnreachableAndStrangersAreDroppedAndCounted() throws Exception {
        List<LabHost> hosts = startHosts(1, 2);
        LabHost h1 = hosts.get(0);
        h1.awaitPing(hosts.get(1).overlayAddress(), Duration.ofSeconds(20));
        String unleased = unleasedAddress(hosts);
        Command.Result ping = h1.exec(Duration.ofSeconds(10), "ping", "-n", "-c", "1", "-W", "2", unleased);
        assertTrue(ping.output().contains("Destination Net Unreachable"), ping.output());

        long rxBefore = h1.deviceCounter("weft0", "rx_packets");
        LabHost stranger = lab().addBystander("x66", 66);
        // An ICMP echo request for h1's device address, in the wire format, from an address with no lease.
        String packet = icmpEcho(stranger.address(), h1.overlayAddress());
        stranger.exec("bash", "-c", "printf '" + packet + "' > /dev/udp/" + h1.address() + "/8285").orFail();
        Awaitility.await("h1 counts the stranger").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> dropCount(h1, "unknown-peer") >= 1);
        assertEquals(rxBefore, h1.deviceCounter("weft0", "rx_packets"), "nothing reached the TUN device");
        assertTrue(dropCount(h1, "net-unreachable") >= 1);
    }

    @Test
    void aRestartedDaemonGetsItsSubnetBackFromItsPublicIpLease() throws Exception {
        List<LabHost> hosts = startHosts(1, 2);
        LabHost h1 = hosts.get(0);
        String subnet = h1.subnet();
        assertEquals(0, h1.stopDaemon());
        Files.delete(h1.subnetFile()); // so the subnet can only come from the lease held for 198.18.0.1
        h1.startDaemon();
        h1.awaitSubnetEnv();
        assertEquals(subnet, h1.subnet());
        hosts.get(1).awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));
        h1.awaitPing(hosts.get(1).overlayAddress(), Duration.ofSeconds(20));
    }

    @Test
    void aHostWhoseSubnetIsTakenMovesToANewOneAndStaysReachable() throws Exception {
        List<LabHost> hosts = startHosts(1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));
        String old = h1.subnet();
        // Someone else's lease now holds h1's subnet (as after a long outage or an admin's mistake).
        lab().etcdctl("put", h1.leaseKey(), "{\"PublicIP\":\"198.18.0.99\",\"BackendType\":\"udp\"}").orFail();
        Awaitility.await("h1 moves to another subnet").atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
                .until(() -> !h1.subnet().equals(old));
        String moved = h1.overlayAddress();
        assertTrue(h1.exec("ip", "-br", "addr", "show", "weft0").output().contains(moved + "/32"),
                "the device took the new address");
        assertTrue(h1.exec("ip", "route").output().contains(Lab.OVERLAY + " dev weft0"), "the Network route is back");
        h2.awaitPing(moved, Duration.ofSeconds(20));
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
    }

    @Test
    void anEtcdOutageOfTwentySecondsLosesNoPingAndTheDaemonsReconnect() throws Exception {
        List<LabHost> hosts = startHosts(1, 2);
        LabHost h1 = hosts.get(0);
        h1.awaitPing(hosts.get(1).overlayAddress(), Duration.ofSeconds(20));
        PingRun ping = PingRun.start(h1, hosts.get(1).overlayAddress(), 150);
        lab().stopEtcd();
        Awaitility.await("etcd outage").pollDelay(Duration.ofSeconds(20)).atMost(Duration.ofSeconds(21))
                .until(ping::isRunning);
        lab().startEtcd();
        ping.assertNoneLost(Duration.ofSeconds(40));

        // Reconnected: a host that joins now is seen by both.
        LabHost h3 = lab().addHost(3);
        h3.startDaemon();
        h3.awaitSubnetEnv();
        h1.awaitPing(h3.overlayAddress(), Duration.ofSeconds(30));
        hosts.get(1).awaitPing(h3.overlayAddress(), Duration.ofSeconds(30));
    }

    private static long dropCount(LabHost h, String reason) {
        Command.Result status = h.status();
        Matcher m = Pattern.compile("\"" + reason + "\"\\s*:\\s*(\\d+)").matcher(status.output());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String unleasedAddress(List<LabHost> hosts) {
        Set<String> taken = new HashSet<>();
        hosts.forEach(h -> taken.add(h.subnet()));
        for (int third = 250; third > 0; third--) {
            if (!taken.contains("100.96." + third + ".0/24")) {
                return "100.96." + third + ".9";
            }
        }
        throw new AssertionError("no free subnet");
    }

    /** A 28-byte IPv4 ICMP echo request as printf escapes; checksums do not matter, it must be dropped first. */
    private static String icmpEcho(String source, String destination) {
        StringBuilder s = new StringBuilder("\\x45\\x00\\x00\\x1c\\x00\\x01\\x00\\x00\\x40\\x01\\x00\\x00");
        for (String address : List.of(source, destination)) {
            for (String octet : address.split("\\.")) {
                s.append(String.format("\\x%02x", Integer.parseInt(octet)));
            }
        }
        return s.append("\\x08\\x00\\xf7\\xfe\\x00\\x01\\x00\\x00").toString();
    }

    @Test
    void labLeavesNothingBehind() {
        assertNotEquals(null, lab());
        String before = Command.run("ip", "netns", "list").output();
        assertTrue(before.contains("weft-lableavesnothingbehind-br"), before);
    }
}
