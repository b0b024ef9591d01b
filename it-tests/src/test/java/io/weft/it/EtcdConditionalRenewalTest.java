package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A renewal against a real etcd (the lab's etcd process) after the lease was deleted and created again for
 * another host, or turned into a reservation, behind the renewer's back: the transaction compares the
 * mod_revision read, so the renewal is refused and the other value survives with its own etcd lease or
 * none. The store runs as {@link StoreProbe} in a lab namespace; the other writer is etcdctl.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class EtcdConditionalRenewalTest {
    private static final String SUBNET = "100.96.5.0/24";
    private static final String KEY = "/coreos.com/network/subnets/100.96.5.0-24";
    private static final String MINE = "198.18.0.1";
    private static final String OTHER = "198.18.0.2";

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private LabHost probeHost;

    private String probe(String... args) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String[] cmd = new String[args.length + 5];
        cmd[0] = java;
        cmd[1] = "-Xmx64m";
        cmd[2] = "-cp";
        cmd[3] = System.getProperty("java.class.path");
        cmd[4] = StoreProbe.class.getName();
        cmd[5] = args[0];
        System.arraycopy(args, 1, cmd, 6, args.length - 1);
        String out = probeHost.exec(Duration.ofSeconds(60), cmd).orFail().output();
        return out.lines().filter(l -> l.matches("(created|renewed) \\d+|exists|refused")).reduce((a, b) -> b)
                .orElseThrow(() -> new AssertionError("no answer from the probe: " + out));
    }

    private static long revision(String answer) {
        return Long.parseLong(answer.split(" ")[1]);
    }

    @Test
    void aRenewalOfALeaseDeletedAndCreatedForAnotherHostIsRefusedAndTheOtherValueSurvives() throws Exception {
        Lab lab = extension.lab();
        lab.startEtcd();
        probeHost = lab.addBystander("probe", 60);
        String endpoint = lab.etcdEndpoint();

        long mine = revision(probe("create", endpoint, SUBNET, MINE));
        String renewed = probe("renew", endpoint, SUBNET, MINE, Long.toString(mine));
        assertTrue(renewed.startsWith("renewed "), "the lease as read renews: " + renewed);
        mine = revision(renewed);

        // Behind our back: the lease goes and another host creates the subnet with its own etcd lease.
        lab.etcdctl("del", KEY).orFail();
        long theirs = revision(probe("create", endpoint, SUBNET, OTHER));
        JsonNode before = keyValue(lab);

        assertEquals("refused", probe("renew", endpoint, SUBNET, MINE, Long.toString(mine)));
        JsonNode after = keyValue(lab);
        assertEquals(OTHER, after.get("value").get("PublicIP").asText(), "the other value survives");
        assertEquals(theirs, after.get("mod_revision").asLong());
        assertEquals(before.get("lease"), after.get("lease"), "on its own etcd lease");

        // And again with a reservation (a key with no etcd lease, as etcdctl or weft leases reserve write it).
        lab.etcdctl("put", KEY, "{\"PublicIP\":\"" + OTHER + "\",\"BackendType\":\"\"}").orFail();
        long reserved = keyValue(lab).get("mod_revision").asLong();
        assertEquals("refused", probe("renew", endpoint, SUBNET, MINE, Long.toString(theirs)));
        JsonNode stands = keyValue(lab);
        assertEquals(reserved, stands.get("mod_revision").asLong());
        assertFalse(stands.has("lease"), "still a reservation: " + stands);
    }

    /** The key as etcdctl shows it in JSON, with the value decoded. */
    private static JsonNode keyValue(Lab lab) throws Exception {
        ObjectMapper json = new ObjectMapper();
        JsonNode kv = json.readTree(lab.etcdctl("get", KEY, "-w", "json").orFail().output()).get("kvs").get(0);
        com.fasterxml.jackson.databind.node.ObjectNode out = kv.deepCopy();
        out.set("value", json.readTree(Base64.getDecoder().decode(kv.get("value").asText())));
        return out;
    }
}
