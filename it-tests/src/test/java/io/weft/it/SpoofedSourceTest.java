package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.it.lab.CniRuntime;
import io.weft.it.lab.Command;
import io.weft.it.lab.ForgedDatagrams;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import io.weft.it.lab.UdpSink;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Inner source addresses against a hostile peer (issue 12): three lab hosts, A (h1) with a container listening on
 * UDP, B (h2) the peer that forges, C (h3) the third host. From B come datagrams whose inner source is (a) A's
 * device address, (b) an address in C's subnet, (c) an address of B's own subnet:
 * <ul>
 *   <li>from B's backend port, through B's own daemon: B's namespace is given the forged addresses on
 *       {@code lo}, a socket bound to each sends to A's container, and B's kernel routes the packets into B's
 *       TUN device, so B's daemon carries them (and seals them with ipsec, as a host holding the PSK would);
 *       weft holds the port, so nothing else can send from it;</li>
 *   <li>from another port of B's address: a plain UDP socket sends the inner packets in the wire format.</li>
 * </ul>
 * Only (c) from the right port may reach the container; A counts the others as {@code spoofed-source} and
 * {@code wrong-port} in {@code /metrics} and {@code weft status}. Every packet stays inside the lab.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class SpoofedSourceTest {
    private static final String PSK = "lab-psk-0123456789abcdef0123456789abcdef";
    private static final int SINK_PORT = 7777;

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    @BeforeEach
    void plugins() {
        CniRuntime.requirePlugins();
    }

    private Lab lab() {
        return extension.lab();
    }

    @Test
    void udpDeliversOnlyThePeersOwnSourcesFromItsPort() {
        Scenario s = start(Lab.networkConfig("{\"Type\":\"udp\"}"), false);
        s.forgeThroughPeersDaemon();
        s.forgeFromAnotherPort(8285);
        s.awaitVerdicts(Map.of("spoofed-source", 2.0, "wrong-port", 3.0));
        assertEquals(List.of("got own-subnet from " + s.b.overlayAddress()), s.received(),
                "only the peer's own source from its port reached the container");
        assertEquals(2, statusDrops(s.a, "spoofed-source"), "weft status shows the drops");
        assertEquals(3, statusDrops(s.a, "wrong-port"), "weft status shows the drops");
    }

    @Test
    void ipsecDeliversOnlyThePeersOwnSourcesThoughAPskHolderSealsTheRest() {
        Scenario s = start(Lab.networkConfig("{\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\"}"), true);
        s.forgeThroughPeersDaemon();
        // Another port of B's address is refused before any ESP is opened: no esp-* counter moves.
        s.forgeFromAnotherPort(4500);
        s.awaitVerdicts(Map.of("spoofed-source", 2.0, "wrong-port", 3.0));
        assertEquals(List.of("got own-subnet from " + s.b.overlayAddress()), s.received(),
                "only the peer's own source reached the container, though B's daemon sealed all three");
        Map<String, Double> after = s.a.metrics();
        s.before.forEach((k, v) -> {
            if (k.startsWith("weft_drops_total{reason=esp-")) {
                assertEquals(v, after.get(k), k);
            }
        });
    }

    private Scenario start(String config, boolean ipsec) {
        lab().startEtcd();
        lab().putNetworkConfig(config);
        for (int i = 1; i <= 3; i++) {
            LabHost h = lab().addHost(i);
            h.startDaemon(ipsec ? Map.of("WEFT_IPSEC_STATE_DIR", h.workDir().resolve("ipsec").toString()) : Map.of());
        }
        List<LabHost> hosts = lab().hosts();
        hosts.forEach(h -> h.awaitSubnetEnv(Lab.STARTUP));
        return new Scenario(lab(), hosts.get(0), hosts.get(1), hosts.get(2));
    }

    private static long statusDrops(LabHost h, String reason) {
        Command.Result status = h.status().orFail();
        Matcher m = Pattern.compile("\"" + Pattern.quote(reason) + "\"\\s*:\\s*(\\d+)").matcher(status.output());
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** The three hosts, A's container with its UDP sink, the forged addresses, and A's counters before. */
    private static final class Scenario {
        final LabHost a;
        final LabHost b;
        final LabHost c;
        final String target;
        final LabProcess sink;
        final String aDevice;
        final String cAddress;
        final Map<String, Double> before;

        Scenario(Lab lab, LabHost a, LabHost b, LabHost c) {
            this.a = a;
            this.b = b;
            this.c = c;
            CniRuntime.Container container = new CniRuntime(lab, a).add("c1");
            target = container.address().substring(0, container.address().indexOf('/'));
            // B reaches the container (both routes in place) and A knows C's lease (so (b) is a third host's).
            b.awaitPing(target, Duration.ofSeconds(30));
            a.awaitPing(c.overlayAddress(), Duration.ofSeconds(30));
            sink = a.start("sink", "ip", "netns", "exec", container.namespace(), java(), "-Xmx32m", "-cp", classpath(),
                    UdpSink.class.getName(), String.valueOf(SINK_PORT), "200");
            Awaitility.await("sink listening").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> sink.output().contains("listening") || !sink.isAlive());
            aDevice = a.overlayAddress();
            String cDevice = c.overlayAddress();
            cAddress = cDevice.substring(0, cDevice.lastIndexOf('.')) + ".5";
            before = a.metrics();
        }

        /** (a), (b), (c) from B's port: the forged sources go on B's lo and B's daemon carries the packets. */
        void forgeThroughPeersDaemon() {
            b.exec("ip", "addr", "add", aDevice + "/32", "dev", "lo").orFail();
            b.exec("ip", "addr", "add", cAddress + "/32", "dev", "lo").orFail();
            String port = String.valueOf(SINK_PORT);
            b.exec(Duration.ofSeconds(60), java(), "-Xmx32m", "-cp", classpath(), ForgedDatagrams.class.getName(),
                    "bound", aDevice, target, port, "a-device", cAddress, target, port, "third-host",
                    b.overlayAddress(), target, port, "own-subnet").orFail();
        }

        /** (a), (b), (c) in the wire format from another port of B's address. */
        void forgeFromAnotherPort(int backendPort) {
            String port = String.valueOf(SINK_PORT);
            b.exec(Duration.ofSeconds(60), java(), "-Xmx32m", "-cp", classpath(), ForgedDatagrams.class.getName(),
                    "wire", a.address(), String.valueOf(backendPort), aDevice, target, port, "wire-a-device", cAddress,
                    target, port, "wire-third-host", b.overlayAddress(), target, port, "wire-own-subnet").orFail();
        }

        /** Waits until the container got (c) and A's drop counters rose by {@code expected}, then checks them exactly. */
        void awaitVerdicts(Map<String, Double> expected) {
            try {
                Awaitility.await("A delivers (c) and counts the rest").atMost(Duration.ofSeconds(30))
                        .pollInterval(Duration.ofMillis(250)).until(() -> {
                            Map<String, Double> now = a.metrics();
                            return sink.output().contains("got own-subnet") && expected.entrySet().stream()
                                    .allMatch(e -> rise(now, e.getKey()) >= e.getValue());
                        });
            } catch (ConditionTimeoutException e) {
                Map<String, Double> now = a.metrics();
                Map<String, Double> rises = new TreeMap<>();
                expected.keySet().forEach(reason -> rises.put(reason, rise(now, reason)));
                throw new AssertionError("within 30 s A's container got " + received() + " and A's drops rose by "
                        + rises + "; expected only (c) from the right port and drops of " + expected, e);
            }
            Map<String, Double> now = a.metrics();
            expected.forEach((reason, n) -> assertEquals(n, rise(now, reason), reason + " drops at A"));
        }

        private double rise(Map<String, Double> now, String reason) {
            String key = "weft_drops_total{reason=" + reason + "}";
            return now.getOrDefault(key, 0.0) - before.getOrDefault(key, 0.0);
        }

        List<String> received() {
            List<String> lines = new ArrayList<>();
            sink.output().lines().filter(l -> l.startsWith("got ")).forEach(lines::add);
            return lines;
        }
    }
}
