package io.weft.cli.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.daemon.SubnetEnv;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.testing.UserMessages;
import java.util.Map;
import java.util.Set;

/**
 * Fuzz target for the CNI plugin's config handling: the network config a container runtime passes on stdin
 * ({@link CniNetConf}), the delegate config built from it ({@link DelegateConfig}), and the error result
 * {@link CniPlugin} prints. Seeds: {@code CniNetConfFuzzTestInputs/parse/}, flannel-style configs and broken ones.
 */
class CniNetConfFuzzTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final SubnetEnv ENV = new SubnetEnv(Ipv4Subnet.parse("100.96.0.0/12"),
            Ipv4Subnet.parse("100.96.1.0/24"), 1450, true);
    /** An ADD the runtime left without CNI_NETNS: the plugin parses and checks the config, then stops. */
    private static final Map<String, String> ADD = Map.of("CNI_COMMAND", "ADD", "CNI_CONTAINERID", "c1",
            "CNI_IFNAME", "eth0");
    private static final Set<Integer> CONFIG_CODES = Set.of(CniException.DECODE_FAILURE, CniException.INVALID_CONFIG);

    /**
     * Properties, for any stdin: parsing gives a config with a name, or a {@link CniException} with a
     * config error code (decode failure or invalid config) and a one-line message and details; nothing else
     * escapes. A parsed config's delegate config names the network, has a string type, the plugin's host-local
     * range over this host's subnet and, last, the route to the Network, or it is refused as an invalid config.
     * The plugin itself answers an ADD (here stopped by a missing CNI_NETNS) with exit code 1 and one line of
     * spec error JSON whose code is a config, version or environment error, never its catch-all for an
     * unexpected exception, and whose cniVersion is one it supports.
     *
     * <p>Input: the bytes on stdin.
     */
    @DictionaryEntries({"\"cniVersion\"", "\"name\"", "\"type\"", "\"subnetFile\"", "\"dataDir\"",
        "\"delegate\"", "\"ipam\"", "\"routes\"", "\"ranges\"", "\"runtimeConfig\"", "\"prevResult\"",
        "\"isGateway\"", "\"bridge\"", "\"1.0.0\"", "\"0.3.1\"", "\\u0000", "\\n", "null", "true"})
    @FuzzTest
    void parse(byte[] stdin) throws Exception {
        CniPlugin.Outcome outcome = new CniPlugin(ADD).run(() -> stdin.clone());
        assertEquals(1, outcome.exitCode());
        assertFalse(outcome.stdout().contains("\n"), "error JSON on more than one line");
        JsonNode error = MAPPER.readTree(outcome.stdout());
        int code = error.path("code").asInt();
        assertTrue(CONFIG_CODES.contains(code) || code == CniException.INCOMPATIBLE_VERSION
                || code == CniException.INVALID_ENVIRONMENT, "error code " + code + ": " + outcome.stdout());
        assertTrue(CniPlugin.SUPPORTED_VERSIONS.contains(error.path("cniVersion").asText()), outcome.stdout());
        UserMessages.assertOneLine(error.path("msg").asText());

        CniNetConf conf;
        try {
            conf = CniNetConf.parse(MAPPER, stdin);
        } catch (CniException e) {
            assertTrue(CONFIG_CODES.contains(e.code()), "code " + e.code() + ": " + e.getMessage());
            UserMessages.assertOneLine(e.getMessage());
            assertOneLineOrEmpty(e.details());
            return;
        }
        assertFalse(conf.name().isEmpty());
        assertNotNull(conf.subnetFile());
        assertNotNull(conf.dataDir());
        ObjectNode delegate;
        try {
            delegate = DelegateConfig.build(conf, ENV);
        } catch (CniException e) {
            assertEquals(CniException.INVALID_CONFIG, e.code(), e.getMessage());
            UserMessages.assertOneLine(e.getMessage());
            assertOneLineOrEmpty(e.details());
            return;
        }
        assertEquals(conf.name(), delegate.path("name").textValue());
        assertTrue(delegate.path("type").isTextual());
        JsonNode ipam = delegate.path("ipam");
        assertEquals(MAPPER.readTree("[[{\"subnet\":\"100.96.1.0/24\"}]]"), ipam.path("ranges"));
        JsonNode routes = ipam.path("routes");
        assertEquals("100.96.0.0/12", routes.path(routes.size() - 1).path("dst").textValue());
        MAPPER.readTree(MAPPER.writeValueAsString(delegate));
    }

    private static void assertOneLineOrEmpty(String s) {
        if (!s.isEmpty()) {
            UserMessages.assertOneLine(s);
        }
    }
}
