package io.weft.cli.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.daemon.SubnetEnv;
import io.weft.core.model.Ipv4Subnet;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The delegate config the plugin builds from its netconf and subnet.env, byte for byte. */
class DelegateConfigTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SubnetEnv ENV = new SubnetEnv(Ipv4Subnet.parse("100.96.0.0/16"),
            Ipv4Subnet.parse("100.96.34.0/24"), 1472, false);

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // the defaults: bridge, gateway, host-local over the subnet, a route to the network, ipMasq = !FLANNEL_IPMASQ
        "{\"cniVersion\":\"1.0.0\",\"name\":\"weftnet\",\"type\":\"weft\"}"
            + "|{\"name\":\"weftnet\",\"type\":\"bridge\",\"ipMasq\":true,\"mtu\":1472,\"isGateway\":true,\"cniVersion\":\"1.0.0\","
            + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"100.96.34.0/24\"}]],"
            + "\"routes\":[{\"dst\":\"100.96.0.0/16\",\"gw\":\"100.96.34.1\"}]}}",
        // the user's delegate keys win; a non-bridge type gets no isGateway
        "{\"cniVersion\":\"0.4.0\",\"name\":\"n\",\"type\":\"weft\",\"delegate\":{\"type\":\"ipvlan\",\"mtu\":1400,\"ipMasq\":false}}"
            + "|{\"type\":\"ipvlan\",\"mtu\":1400,\"ipMasq\":false,\"name\":\"n\",\"cniVersion\":\"0.4.0\","
            + "\"ipam\":{\"type\":\"host-local\",\"ranges\":[[{\"subnet\":\"100.96.34.0/24\"}]],\"routes\":[{\"dst\":\"100.96.0.0/16\"}]}}",
        // user ipam keys are kept, user routes come first, ranges are the plugin's
        "{\"name\":\"n\",\"type\":\"weft\",\"ipam\":{\"dataDir\":\"/tmp/x\",\"routes\":[{\"dst\":\"0.0.0.0/0\"}],\"ranges\":[]},"
            + "\"delegate\":{\"isGateway\":false,\"hairpinMode\":true},\"runtimeConfig\":{\"portMappings\":[]}}"
            + "|{\"isGateway\":false,\"hairpinMode\":true,\"name\":\"n\",\"type\":\"bridge\",\"ipMasq\":true,\"mtu\":1472,"
            + "\"runtimeConfig\":{\"portMappings\":[]},\"ipam\":{\"dataDir\":\"/tmp/x\",\"routes\":[{\"dst\":\"0.0.0.0/0\"},"
            + "{\"dst\":\"100.96.0.0/16\"}],\"ranges\":[[{\"subnet\":\"100.96.34.0/24\"}]],\"type\":\"host-local\"}}",
    })
    void buildsWhatFlannelsPluginBuilds(String netconf, String expected) throws Exception {
        CniNetConf conf = CniNetConf.parse(MAPPER, netconf.getBytes(StandardCharsets.UTF_8));
        assertEquals(MAPPER.readTree(expected), DelegateConfig.build(conf, ENV));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{\"name\":\"n\",\"delegate\":{\"name\":\"x\"}}|delegate must not set name",
        "{\"name\":\"n\",\"delegate\":{\"ipam\":{}}}|delegate must not set ipam",
        "{\"name\":\"n\",\"delegate\":{\"type\":3}}|delegate.type must be a string",
    })
    void refusesDelegateKeysThePluginOwns(String netconf, String msg) {
        CniNetConf conf = CniNetConf.parse(MAPPER, netconf.getBytes(StandardCharsets.UTF_8));
        CniException e = assertThrows(CniException.class, () -> DelegateConfig.build(conf, ENV));
        assertEquals(msg, e.getMessage());
        assertEquals(CniException.INVALID_CONFIG, e.code());
    }
}
