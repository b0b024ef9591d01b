package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A udp host whose wall clock is stepped an hour forward and then an hour back while it runs (Debian's
 * libfaketime, the monotonic clock left alone, as NTP or an admin would step it): it neither renews nor
 * re-acquires its lease, keeps its subnet and stays reachable, and its /metrics still counts about 24 h
 * left on the lease. Every packet stays inside the lab's namespaces.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class WallClockStepTest {
    private static final String CONFIG = Lab.networkConfig("{\"Type\":\"udp\"}");
    private static final String LIBFAKETIME = "/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1";
    private static final Pattern EXPIRY = Pattern.compile("(?m)^weft_lease_expiry_seconds (\\S+)$");

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    @Test
    void aWallClockStepOfAnHourEachWayNeitherRenewsNorDropsTheLease() throws Exception {
        Path helper = Lab.repositoryRoot().resolve("scripts/lib-apt.sh");
        Command.run(Duration.ofMinutes(10),
                List.of("bash", "-c", "source '" + helper + "' && weft_apt_install faketime")).orFail();
        Lab lab = extension.lab();
        lab.startEtcd(CONFIG);
        Path offset = Files.writeString(lab.work().resolve("h1-clock-offset"), "+0\n");
        LabHost h1 = lab.addHost(1);
        h1.startDaemon(Map.of("LD_PRELOAD", LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE", offset.toString(),
                "FAKETIME_DONT_FAKE_MONOTONIC", "1", "FAKETIME_CACHE_DURATION", "1"));
        LabHost h2 = lab.startHosts(2).get(0);
        h1.awaitSubnetEnv();
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));
        String subnet = h1.subnet();
        String key = h1.leaseKey();
        String revision = modRevision(lab, key);

        for (String step : new String[] {"+1h", "-1h"}) {
            Files.writeString(offset, step + "\n");
            long expected = step.startsWith("+") ? 3600 : -3600;
            Awaitility.await("h1's clock is " + step).atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(200))
                    .until(() -> Math.abs(offsetSeconds(h1, offset) - expected) < 60);
            // Held for a few seconds: no renewal, no re-acquisition, no other write to the lease.
            Awaitility.await("h1 leaves its lease alone after " + step).during(Duration.ofSeconds(4))
                    .atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(250))
                    .until(() -> modRevision(lab, key).equals(revision) && h1.subnet().equals(subnet));
            double left = expirySeconds(h1);
            assertTrue(left > 86_000 && left <= 86_400,
                    "about 24 h left by the monotonic clock after " + step + ": " + left);
            h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));
        }
        String log = h1.daemon().orElseThrow().output();
        for (String never : new String[] {"lease renewed", "re-acquired", "own lease lost", "lease upkeep failed"}) {
            assertTrue(!log.contains(never), "h1 logged \"" + never + "\":\n" + log);
        }
        assertTrue(h1.daemon().orElseThrow().isAlive());
        assertEquals(subnet, h1.subnet());
    }

    /** How far the wall clock of a process started with h1's clock settings is from the real one. */
    private static long offsetSeconds(LabHost h, Path offset) {
        long faked = Long.parseLong(h.exec("env", "LD_PRELOAD=" + LIBFAKETIME, "FAKETIME_TIMESTAMP_FILE=" + offset,
                "FAKETIME_DONT_FAKE_MONOTONIC=1", "date", "+%s").orFail().output().strip());
        return faked - Long.parseLong(h.exec("date", "+%s").orFail().output().strip());
    }

    private static String modRevision(Lab lab, String key) {
        Matcher m = Pattern.compile("\"mod_revision\":(\\d+)").matcher(lab.etcdctl("get", key, "-w", "json").orFail()
                .output());
        return m.find() ? m.group(1) : "none";
    }

    /** weft_lease_expiry_seconds from h1's /metrics, read over a plain socket inside its namespace. */
    private static double expirySeconds(LabHost h) {
        String reply = h.exec(Duration.ofSeconds(10), "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8286 && printf"
                + " 'GET /metrics HTTP/1.1\\r\\nHost: 127.0.0.1\\r\\n\\r\\n' >&3 && timeout 5 cat <&3").output();
        Matcher m = EXPIRY.matcher(reply);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }
}
