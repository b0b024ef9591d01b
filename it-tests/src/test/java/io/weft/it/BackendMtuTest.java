package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code Backend.MTU} (issue 17) for each backend on one lab host whose eth0 has MTU 1500: it is the underlay MTU the
 * backend sizes for, so {@code FLANNEL_MTU} is it less the backend's encapsulation; one larger than eth0's is refused
 * with one line, and the daemon exits 1.
 */
@Timeout(value = 300, unit = TimeUnit.SECONDS)
class BackendMtuTest {
    private static final String PSK = "lab-psk-0123456789abcdef0123456789abcdef";

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    @Test
    void backendMtuSizesEveryBackendAndOneLargerThanTheInterfaceIsRefused() {
        Lab lab = extension.lab();
        lab.startEtcd(Lab.networkConfig("{\"Type\":\"udp\",\"MTU\":1400}"));
        LabHost h = lab.addHost(1);
        Map<String, String> env = Map.of("WEFT_IPSEC_STATE_DIR", h.workDir().resolve("ipsec").toString());
        Map<String, Integer> overlayMtu = new java.util.LinkedHashMap<>();
        overlayMtu.put("{\"Type\":\"udp\",\"MTU\":1400}", 1372);
        overlayMtu.put("{\"Type\":\"ipsec\",\"PSK\":\"" + PSK + "\",\"MTU\":1400}", 1338);
        overlayMtu.put("{\"Type\":\"vxlan\",\"MTU\":1400}", 1350);
        overlayMtu.put("{\"Type\":\"host-gw\",\"MTU\":1400}", 1400);
        for (Map.Entry<String, Integer> e : overlayMtu.entrySet()) {
            lab.putNetworkConfig(Lab.networkConfig(e.getKey()));
            h.startDaemon(env, "--revoke-lease-on-exit");
            h.awaitSubnetEnv();
            assertEquals(String.valueOf(e.getValue()), h.subnetEnv().get("FLANNEL_MTU"), e.getKey());
            assertEquals(0, h.stopDaemon(), e.getKey());
            h.exec("rm", "-f", h.subnetFile().toString()).orFail();
        }

        lab.putNetworkConfig(Lab.networkConfig("{\"Type\":\"udp\",\"MTU\":1501}"));
        LabProcess d = h.startDaemon();
        Awaitility.await("the daemon refuses Backend.MTU 1501").atMost(Lab.STARTUP).pollInterval(Duration.ofMillis(100))
                .until(() -> !d.isAlive());
        assertEquals(1, h.stopDaemon());
        assertTrue(d.output().contains("weft: Backend.MTU 1501 is larger than external interface eth0's MTU 1500,"
                + " which cannot carry such packets: give at most 1500, or leave MTU out to use the interface's\n"),
                d.output());
    }
}
