package io.weft.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import io.weft.core.model.NetworkConfig;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The ranges, sizes and host addresses a config must avoid, each refusal naming the field, value and fix. */
class NetworkConfigLimitsTest {
    private static final String CHOOSE = "choose a private range such as 10.0.0.0/8, 172.16.0.0/12 or 100.64.0.0/10";

    private static NetworkConfig config(String network) {
        return NetworkConfigParser.parse("{\"Network\":\"" + network + "\"}");
    }

    @ParameterizedTest
    @ValueSource(strings = {"10.0.0.0/8", "10.5.0.0/16", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10",
        "100.96.0.0/12", "198.18.0.0/15", "1.0.0.0/8", "223.0.0.0/8", "169.253.0.0/16", "169.255.0.0/16"})
    void privateAndOrdinaryRangesPass(String network) {
        NetworkConfigLimits.checkRanges(config(network));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "0.0.0.0/0       | Network 0.0.0.0/0 is too wide: weft would route all of it into its device; give a"
            + " prefix of /8 or longer, and " + CHOOSE,
        "10.0.0.0/7      | Network 10.0.0.0/7 is too wide: weft would route all of it into its device; give a"
            + " prefix of /8 or longer, and " + CHOOSE,
        "0.0.0.0/8       | Network 0.0.0.0/8 overlaps the \"this network\" range 0.0.0.0/8, which weft cannot route"
            + " through its device; " + CHOOSE,
        "127.0.0.0/8     | Network 127.0.0.0/8 overlaps the loopback range 127.0.0.0/8, which weft cannot route through"
            + " its device; " + CHOOSE,
        "127.5.0.0/16    | Network 127.5.0.0/16 overlaps the loopback range 127.0.0.0/8, which weft cannot route"
            + " through its device; " + CHOOSE,
        "169.254.0.0/16  | Network 169.254.0.0/16 overlaps the link-local range 169.254.0.0/16, which weft cannot route"
            + " through its device; " + CHOOSE,
        "169.0.0.0/8     | Network 169.0.0.0/8 overlaps the link-local range 169.254.0.0/16, which weft cannot route"
            + " through its device; " + CHOOSE,
        "224.0.0.0/8     | Network 224.0.0.0/8 overlaps the multicast range 224.0.0.0/4, which weft cannot route"
            + " through its device; " + CHOOSE,
        "239.255.0.0/16  | Network 239.255.0.0/16 overlaps the multicast range 224.0.0.0/4, which weft cannot route"
            + " through its device; " + CHOOSE,
        "255.255.0.0/16  | Network 255.255.0.0/16 overlaps the reserved range (with the broadcast address)"
            + " 240.0.0.0/4, which weft cannot route through its device; " + CHOOSE,
    })
    void reservedAndTooWideRangesAreRefused(String network, String message) {
        WeftException e = assertThrows(WeftException.class, () -> NetworkConfigLimits.checkRanges(config(network)));
        assertEquals(message, e.getMessage());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"Network\":\"10.0.0.0/8\",\"SubnetLen\":28}     | ",
        "{\"Network\":\"100.64.0.0/10\",\"SubnetLen\":30}  | ",
        "{\"Network\":\"10.0.0.0/8\",\"SubnetLen\":30}     | SubnetLen 30 gives Network 10.0.0.0/8 4194303"
            + " subnets, more than the 1048576 weft allows: use SubnetLen 28 or less, or narrow SubnetMin/SubnetMax",
        "{\"Network\":\"10.0.0.0/9\",\"SubnetLen\":30}     | SubnetLen 30 gives Network 10.0.0.0/9 2097151"
            + " subnets, more than the 1048576 weft allows: use SubnetLen 29 or less, or narrow SubnetMin/SubnetMax",
        "{\"Network\":\"10.0.0.0/8\",\"SubnetLen\":30,\"SubnetMin\":\"10.0.0.0\",\"SubnetMax\":\"10.15.255.252\"} | ",
    })
    void moreThanAMillionSubnetsAreRefused(String json, String message) {
        NetworkConfig c = NetworkConfigParser.parse(json);
        if (message == null) {
            NetworkConfigLimits.checkSubnetCount(c);
        } else {
            WeftException e = assertThrows(WeftException.class, () -> NetworkConfigLimits.checkSubnetCount(c));
            assertEquals(message, e.getMessage());
        }
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "198.18.0.0/16 | 198.18.0.2 | Network 198.18.0.0/16 contains the public IP (--public-ip) 198.18.0.2: traffic"
            + " to it would go into weft's device; choose a Network that does not hold the host's own or etcd's"
            + " addresses",
        "10.0.0.0/8    | 10.1.2.3   | Network 10.0.0.0/8 contains the public IP (--public-ip) 10.1.2.3: traffic"
            + " to it would go into weft's device; choose a Network that does not hold the host's own or etcd's"
            + " addresses",
        "10.5.0.0/16   | 10.6.0.1   | ",
    })
    void aNetworkHoldingTheHostsAddressIsRefused(String network, String address, String message) {
        if (message == null) {
            NetworkConfigLimits.checkHostAddress(config(network), "the public IP (--public-ip)", address);
        } else {
            WeftException e = assertThrows(WeftException.class, () -> NetworkConfigLimits.checkHostAddress(
                    config(network), "the public IP (--public-ip)", address));
            assertEquals(message, e.getMessage());
        }
    }
}
