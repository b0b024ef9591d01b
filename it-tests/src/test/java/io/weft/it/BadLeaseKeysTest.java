package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * An etcd writer floods the subnets prefix with distinct keys that are no subnets, values that are no
 * leases and a few large values, while a udp host runs with a 64 MB heap: its watcher goes on (a host that
 * joins afterwards is reached both ways), and its log reports at most 256 of them and says it stopped.
 * Every packet stays inside the lab's namespaces.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class BadLeaseKeysTest {
    private static final String CONFIG = Lab.networkConfig("{\"Type\":\"udp\"}");
    private static final String PREFIX = "/coreos.com/network/subnets/";
    private static final int BATCH = 100;

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    @Test
    void manyDistinctBadKeysNeitherStopTheWatcherNorFloodTheLog() throws Exception {
        Lab lab = extension.lab();
        lab.startEtcd(CONFIG);
        LabHost h1 = lab.startHosts(1).get(0);

        LabHost writer = lab.addBystander("writer", 70);
        // First values of 200 kB under subnet keys, which must appear in the log only as excerpts.
        for (int i = 0; i < 5; i++) {
            writer.exec(Duration.ofSeconds(30), "bash", "-c", "head -c 200000 /dev/zero | tr '\\0' 'v' | ETCDCTL_API=3"
                    + " etcdctl --endpoints " + lab.etcdEndpoint() + " put " + PREFIX + "10.200." + i + ".0-24")
                    .orFail();
        }
        int written = 0;
        for (int batch = 0; batch < 15; batch++) {
            StringBuilder txn = new StringBuilder("\n");
            for (int i = 0; i < BATCH; i++, written++) {
                if (written % 2 == 0) {
                    txn.append("put ").append(PREFIX).append("junk-").append(written).append(" x\n");
                } else {
                    // A subnet key outside the Network with a value that is no lease JSON.
                    txn.append("put ").append(PREFIX).append("10.").append(written / 250).append('.')
                            .append(written % 250).append(".0-24 not-json-").append(written).append('\n');
                }
            }
            txn.append("\n\n");
            Path file = Files.writeString(lab.work().resolve("txn-" + batch), txn.toString());
            writer.exec(Duration.ofSeconds(30), "bash", "-c", "ETCDCTL_API=3 etcdctl --endpoints "
                    + lab.etcdEndpoint() + " txn < " + file).orFail();
        }

        LabHost h2 = lab.startHosts(2).get(0);
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(30));
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(30));
        assertTrue(h1.daemon().orElseThrow().isAlive(), "h1 runs on");

        List<String> log = h1.daemon().orElseThrow().output().lines().toList();
        long reported = log.stream().filter(l -> l.contains("ignoring key ") || l.contains("cannot read lease "))
                .count();
        assertTrue(reported <= 256, reported + " bad keys reported");
        assertTrue(reported >= 100, "the first ones are reported: " + reported);
        assertEquals(1, log.stream().filter(l -> l.contains("more than 256 unreadable keys under " + PREFIX)).count());
        assertTrue(log.stream().anyMatch(l -> l.contains("cannot read lease " + PREFIX + "10.200.0.0-24")), "reported");
        assertTrue(log.stream().allMatch(l -> l.length() < 2000), "no line carries a whole value");
    }
}
