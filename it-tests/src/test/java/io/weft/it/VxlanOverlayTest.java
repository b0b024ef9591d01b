package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.PingRun;
import io.weft.it.lab.TcpSha;
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
 * The vxlan backend end to end: real {@code bin/weft daemon} processes in lab namespaces configure kernel VXLAN
 * devices over rtnetlink (weft moves no packet itself), with flanneld's device, lease value and per-peer ARP, FDB
 * and route entries. Every packet stays inside the lab's namespaces.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class VxlanOverlayTest {
    private static final String CONFIG = Lab.networkConfig("{\"Type\":\"vxlan\"}");

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private Lab lab() {
        return extension.lab();
    }

    private List<LabHost> startHosts(String[] flags, int... indexes) {
        lab().startEtcd(CONFIG);
        return lab().startHosts(flags, indexes);
    }

    /** The MAC of {@code flannel.1} in {@code h}, from iproute2. */
    static String deviceMac(LabHost h) {
        Matcher m = Pattern.compile("link/ether ([0-9a-f:]{17})").matcher(h.exec("ip", "link", "show", "flannel.1")
                .orFail().output());
        assertTrue(m.find());
        return m.group(1);
    }

    /** Whether {@code on} has {@code peer}'s route, ARP and FDB entries, as flanneld sets them. */
    static boolean hasEntries(LabHost on, LabHost peer, String peerMac) {
        String net = peer.overlayAddress();
        return on.exec("ip", "route").output().contains(peer.subnet() + " via " + net + " dev flannel.1 onlink")
                && on.exec("ip", "neigh", "show", "dev", "flannel.1").output().contains(net + " lladdr " + peerMac
                        + " PERMANENT")
                && on.exec("bridge", "fdb", "show", "dev", "flannel.1").output().contains(peerMac + " dst "
                        + peer.address() + " self permanent");
    }

    static boolean hasNoEntries(LabHost on, LabHost peer, String peerMac) {
        return !on.exec("ip", "route").output().contains(peer.subnet())
                && !on.exec("ip", "neigh", "show", "dev", "flannel.1").output().contains(peerMac)
                && !on.exec("bridge", "fdb", "show", "dev", "flannel.1").output().contains(peerMac);
    }

    @Test
    void vxlanThreeHostsWithFlanneldsDeviceAndLeasePingEveryPairAndMove50Megabytes() throws Exception {
        List<LabHost> hosts = startHosts(new String[0], 1, 2, 3);
        Set<String> subnets = new HashSet<>();
        for (LabHost h : hosts) {
            subnets.add(h.subnet());
            assertEquals("1450", h.subnetEnv().get("FLANNEL_MTU"), "subnet.env MTU is the device MTU (1500 - 50)");
            String link = h.exec("ip", "-d", "link", "show", "flannel.1").orFail().output();
            assertTrue(link.contains("mtu 1450"), link);
            assertTrue(link.contains("vxlan id 1 local " + h.address() + " dev eth0"), link);
            assertTrue(link.contains("dstport 8472 nolearning"), link);
            assertTrue(h.exec("ip", "-br", "addr", "show", "flannel.1").output().contains(h.overlayAddress() + "/32"));
            // flanneld's lease value, byte for byte.
            assertEquals("{\"PublicIP\":\"" + h.address() + "\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
                    + "\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"" + deviceMac(h) + "\"}}", lab().leaseValue(h));
        }
        assertEquals(3, subnets.size(), "distinct subnets " + subnets);
        Lab.forEveryPair(hosts, (from, to) -> {
            from.awaitPing(to.overlayAddress(), Duration.ofSeconds(20));
            assertTrue(hasEntries(from, to, deviceMac(to)), from + " has " + to + "'s entries");
        });
        TcpSha.start(hosts.get(0), hosts.get(1), 5001, 50, 4).awaitIntact(Duration.ofSeconds(150));
        // The kernel carried it: the VXLAN devices counted the traffic.
        assertTrue(hosts.get(1).deviceCounter("flannel.1", "rx_bytes") > 50_000_000L);
    }

    @Test
    void vxlanJoiningHostIsReachedWithinTwoSecondsAndALeavingHostsEntriesGoFromTheOthers() throws Exception {
        List<LabHost> first = startHosts(new String[0], 1, 2, 3);
        first.get(0).awaitPing(first.get(1).overlayAddress(), Duration.ofSeconds(20));

        LabHost fourth = lab().joinHost(4, first, Duration.ofSeconds(2));

        String mac = deviceMac(fourth);
        for (LabHost h : first) {
            assertTrue(hasEntries(h, fourth, mac));
        }
        // Leaving for good: the lease is revoked, its own device goes, and every other host drops its entries.
        assertEquals(0, fourth.stopDaemon(), "clean exit");
        assertTrue(fourth.exec("ip", "link", "show", "flannel.1").output().contains("does not exist"));
        for (LabHost h : first) {
            Awaitility.await(h.name() + " drops h4's route, ARP and FDB entries").atMost(Duration.ofSeconds(5))
                    .pollInterval(Duration.ofMillis(100)).until(() -> hasNoEntries(h, fourth, mac));
        }
    }

    @Test
    void vxlanEntriesRemovedByHandComeBackWithinTheResyncPeriodAndAreCounted() throws Exception {
        List<LabHost> hosts = startHosts(new String[] {"--route-resync", "2"}, 1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
        String mac = deviceMac(h2);
        Awaitility.await("h1 status shows h2's entries").atMost(Duration.ofSeconds(10))
                .until(() -> h1.status().output().contains("\"state\" : \"route ok, arp ok, fdb ok\""));

        h1.exec("ip", "route", "del", h2.subnet()).orFail();
        h1.exec("bridge", "fdb", "del", mac, "dev", "flannel.1", "dst", h2.address(), "self").orFail();
        h1.exec("ip", "neigh", "del", h2.overlayAddress(), "dev", "flannel.1").orFail();
        assertFalse(hasEntries(h1, h2, mac));
        long removed = System.nanoTime();
        Awaitility.await("entries back").atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> hasEntries(h1, h2, mac));
        System.out.println("vxlan: entries back after " + (System.nanoTime() - removed) / 1_000_000 + " ms");
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(5));
        Map<String, Double> metrics = h1.metrics();
        assertEquals(1.0, metrics.get("weft_repaired_total{kind=route}"), metrics.toString());
        assertEquals(1.0, metrics.get("weft_repaired_total{kind=fdb}"), metrics.toString());
        assertEquals(1.0, metrics.get("weft_repaired_total{kind=neighbour}"), metrics.toString());
        assertEquals(0.0, metrics.get("weft_repaired_total{kind=device}"), metrics.toString());

        // A stale entry in weft's scope (a route into the Network for a subnet nobody holds) is removed.
        h1.exec("ip", "route", "add", "100.96.250.0/24", "via", "100.96.250.0", "dev", "flannel.1", "onlink").orFail();
        Awaitility.await("stale route removed").atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> !h1.exec("ip", "route").output().contains("100.96.250.0/24"));

        // The device itself, deleted by hand, comes back with the same MAC and the entries on it.
        h1.exec("ip", "link", "del", "flannel.1").orFail();
        Awaitility.await("device back").atMost(Duration.ofSeconds(4)).pollInterval(Duration.ofMillis(100))
                .until(() -> hasEntries(h1, h2, mac));
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(5));
        assertEquals(1.0, h1.metrics().get("weft_repaired_total{kind=device}"));

        String table = h1.weft("status").output();
        assertTrue(table.contains("REPAIRED     device 1, fdb 1, neighbour 1, route 1"), table);
        assertTrue(table.matches("(?s).*" + Pattern.quote(h2.subnet()) + " +" + Pattern.quote(h2.address())
                + " .*route ok, arp ok, fdb ok\n.*"), table);
    }

    @Test
    void vxlanPingsEveryFifthOfASecondLoseNoneWhileEitherDaemonRestarts() throws Exception {
        List<LabHost> hosts = startHosts(new String[0], 1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
        String mac1 = deviceMac(h1);
        PingRun ping = PingRun.start(h1, h2.overlayAddress(), 100);

        assertEquals(0, h2.stopDaemon());
        h2.restartDaemon();
        assertEquals(0, h1.stopDaemon());
        h1.restartDaemon();
        assertEquals(mac1, deviceMac(h1), "the restarted daemon adopted its device and MAC");
        assertTrue(h1.daemon().orElseThrow().output().contains("adopting device flannel.1 mac=" + mac1));

        ping.assertNoneLost(Duration.ofSeconds(60));
    }

    @Test
    void vxlanPeersOfAnotherBackendAreIgnoredAndLoggedOnce() throws Exception {
        List<LabHost> hosts = startHosts(new String[0], 1);
        LabHost h1 = hosts.get(0);
        lab().etcdctl("put", "/coreos.com/network/subnets/100.96.77.0-24",
                "{\"PublicIP\":\"198.18.0.77\",\"PublicIPv6\":null,\"BackendType\":\"udp\"}").orFail();
        String line = "ignoring peer 100.96.77.0/24 at 198.18.0.77: its lease is for the udp backend, not vxlan";
        Awaitility.await("logged").atMost(Duration.ofSeconds(10)).until(() -> h1.daemon().orElseThrow().output()
                .contains(line));
        // A renewal-like rewrite with the same attributes is no new event; another peer change replans.
        lab().etcdctl("put", "/coreos.com/network/subnets/100.96.78.0-24",
                "{\"PublicIP\":\"198.18.0.78\",\"PublicIPv6\":null,\"BackendType\":\"udp\"}").orFail();
        Awaitility.await("second logged").atMost(Duration.ofSeconds(10)).until(() -> h1.daemon().orElseThrow().output()
                .contains("ignoring peer 100.96.78.0/24"));
        String log = h1.daemon().orElseThrow().output();
        assertEquals(1, log.split(Pattern.quote(line), -1).length - 1, "logged once: " + log);
        assertFalse(h1.exec("ip", "route").output().contains("100.96.77.0"));
        assertTrue(h1.status().output().contains("\"state\" : \"ignored: backend udp\""));
    }

    private List<LabHost> startHostsWithConfig(String config, int... indexes) {
        lab().startEtcd(config);
        return lab().startHosts(indexes);
    }

    @Test
    void vxlanVniPortGbpAndMtuFromTheConfigShapeTheDevice() throws Exception {
        List<LabHost> hosts = startHostsWithConfig(Lab.networkConfig(
                "{\"Type\":\"vxlan\",\"VNI\":7,\"Port\":4789,\"GBP\":true,\"MTU\":1400}"), 1, 2);
        for (LabHost h : hosts) {
            String link = h.exec("ip", "-d", "link", "show", "flannel.7").orFail().output();
            assertTrue(link.contains("mtu 1350") && link.contains("vxlan id 7 local " + h.address())
                    && link.contains("dstport 4789") && link.contains(" gbp "), link);
            assertEquals("1350", h.subnetEnv().get("FLANNEL_MTU"), "MTU 1400 minus 50, as flanneld");
            assertEquals("{\"PublicIP\":\"" + h.address() + "\",\"PublicIPv6\":null,\"BackendType\":\"vxlan\","
                    + "\"BackendData\":{\"VNI\":7,\"VtepMAC\":\"" + h.exec("cat", "/sys/class/net/flannel.7/address")
                    .orFail().output().strip() + "\"}}", lab().leaseValue(h));
        }
        hosts.get(0).awaitPing(hosts.get(1).overlayAddress(), Duration.ofSeconds(20));
        assertTrue(hosts.get(0).exec("ss", "-uan").output().contains(":4789"));
    }

    @Test
    void vxlanDirectRoutingRoutesPeersOnTheSameL2SubnetWithoutVxlan() throws Exception {
        List<LabHost> hosts = startHostsWithConfig(Lab.networkConfig(
                "{\"Type\":\"vxlan\",\"DirectRouting\":true}"), 1, 2);
        LabHost h1 = hosts.get(0);
        LabHost h2 = hosts.get(1);
        Awaitility.await("direct route").atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> h1.exec("ip", "route").output().contains(h2.subnet() + " via " + h2.address() + " dev eth0"));
        assertFalse(h1.exec("bridge", "fdb", "show", "dev", "flannel.1").output().contains("dst"),
                "no FDB entry for a directly routed peer");
        // h2's subnet address is on its flannel.1: the packets go plainly over eth0, not through VXLAN.
        long vxlanTx = h1.deviceCounter("flannel.1", "tx_packets");
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
        assertEquals(vxlanTx, h1.deviceCounter("flannel.1", "tx_packets"));
    }

    @Test
    void vxlanAdoptsAFlanneldDeviceWithItsMacAndPublishesIt() throws Exception {
        lab().startEtcd(CONFIG);
        LabHost h1 = lab().addHost(1);
        // As flanneld leaves it: flannel.1 with a random MAC, up, nolearning, the kernel's port.
        h1.exec("ip", "link", "add", "flannel.1", "address", "0e:11:22:33:44:55", "mtu", "1450", "type", "vxlan",
                "id", "1", "local", h1.address(), "dev", "eth0", "nolearning", "dstport", "0").orFail();
        h1.startDaemon();
        h1.awaitSubnetEnv();
        assertEquals("0e:11:22:33:44:55", deviceMac(h1));
        assertTrue(lab().leaseValue(h1).endsWith("\"BackendData\":{\"VNI\":1,\"VtepMAC\":\"0e:11:22:33:44:55\"}}"),
                lab().leaseValue(h1));
        assertTrue(h1.daemon().orElseThrow().output().contains("adopting device flannel.1 mac=0e:11:22:33:44:55"));
    }

    @Test
    void vxlanARestartRemovesTheEntriesOfAPeerThatLeftWhileItWasDown() throws Exception {
        List<LabHost> hosts = startHosts(new String[] {"--route-resync", "2"}, 1, 2, 3);
        LabHost h1 = hosts.get(0);
        LabHost h3 = hosts.get(2);
        h1.awaitPing(h3.overlayAddress(), Duration.ofSeconds(20));
        String mac3 = deviceMac(h3);
        assertTrue(hasEntries(h1, h3, mac3));
        assertEquals(0, h1.stopDaemon());
        assertTrue(hasEntries(h1, h3, mac3), "SIGTERM leaves the entries");
        h3.killDaemon();
        lab().etcdctl("del", h3.leaseKey()).orFail();
        h1.restartDaemon();
        Awaitility.await("h3's entries removed from h1").atMost(Duration.ofSeconds(6)).pollInterval(Duration.ofMillis(100))
                .until(() -> hasNoEntries(h1, h3, mac3));
        assertTrue(hasEntries(h1, hosts.get(1), deviceMac(hosts.get(1))), "h2's entries stay");
    }
}
