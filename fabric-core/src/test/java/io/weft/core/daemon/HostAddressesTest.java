package io.weft.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.ExternalInterface;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The host's own addresses a Network may not hold, each refusal naming the flag it came from. */
class HostAddressesTest {
    private static final ExternalInterface ETH0 = new ExternalInterface("eth0", "198.18.0.5", 1500);
    private static final String FIX = ": traffic to it would go into weft's device; choose a Network that does not"
            + " hold the host's own or etcd's addresses";

    private static NetworkConfig config(String network) {
        return NetworkConfigParser.parse("{\"Network\":\"" + network + "\"}");
    }

    private static String refusal(HostAddresses own, String network) {
        return assertThrows(WeftException.class, () -> own.check(config(network))).getMessage();
    }

    @Test
    void theInterfaceThePublicIpAndEachEtcdEndpointAreChecked() {
        HostAddresses own = HostAddresses.of(ETH0, "203.0.113.7",
                List.of("http://10.20.0.11:2379", "https://10.30.0.12:2379"));
        own.check(config("100.96.0.0/12"));
        assertEquals("Network 198.18.0.0/16 contains the address of eth0 (--iface) 198.18.0.5" + FIX,
                refusal(own, "198.18.0.0/16"));
        assertEquals("Network 203.0.0.0/8 contains the public IP (--public-ip) 203.0.113.7" + FIX,
                refusal(own, "203.0.0.0/8"));
        assertEquals("Network 10.20.0.0/16 contains the address of etcd endpoint http://10.20.0.11:2379"
                + " (--etcd-endpoints) 10.20.0.11" + FIX, refusal(own, "10.20.0.0/16"));
        assertEquals("Network 10.30.0.0/24 contains the address of etcd endpoint https://10.30.0.12:2379"
                + " (--etcd-endpoints) 10.30.0.12" + FIX, refusal(own, "10.30.0.0/24"));
    }

    @Test
    void reservedRangesAreRefusedTooAndAnEndpointNameIsResolved() {
        HostAddresses own = HostAddresses.of(ETH0, ETH0.address(), List.of("http://localhost:2379", "not a url"));
        assertEquals("Network 0.0.0.0/0 is too wide: weft would route all of it into its device; give a prefix of /8"
                + " or longer, and choose a private range such as 10.0.0.0/8, 172.16.0.0/12 or 100.64.0.0/10",
                refusal(own, "0.0.0.0/0"));
        own.check(config("10.5.0.0/16"));
    }
}
