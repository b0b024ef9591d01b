package io.weft.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft daemon} given a config that would route its own public IP into its device: it takes no lease,
 * says why in /readyz, and goes on once the config is fixed, as for an invalid config. The alloc backend
 * moves no packets; the endpoint is on a loopback port the test picks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class UnsafeNetworkConfigTest {
    @RegisterExtension
    final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    @Test
    void aNetworkHoldingThePublicIpIsRefusedUntilTheConfigIsFixed() throws Exception {
        weft.shared.writeNetworkConfig("{\"Network\":\"198.18.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        int port = CliHarness.freePort();
        Path subnetFile = dir.resolve("subnet.env");
        weft.start("daemon", "--store", "shared", "--iface", "lo", "--public-ip", "198.18.0.1",
                "--subnet-file", subnetFile.toString(), "--healthz-port", String.valueOf(port));

        String reason = "waiting for network config: Network 198.18.0.0/16 contains the public IP (--public-ip)"
                + " 198.18.0.1: traffic to it would go into weft's device; choose a Network that does not hold the"
                + " host's own or etcd's addresses\n";
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                .until(() -> weft.get(port, "/readyz").body().equals(reason));
        assertEquals(503, weft.get(port, "/readyz").statusCode());
        assertTrue(weft.shared.listLeases().leases().isEmpty(), "no lease taken");
        assertTrue(!Files.exists(subnetFile));

        weft.shared.writeNetworkConfig("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        await().atMost(Duration.ofSeconds(30)).until(() -> weft.get(port, "/readyz").statusCode() == 200);
        assertEquals(1, weft.shared.listLeases().leases().size());
    }
}
