package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft cni} as a runtime calls it, for everything that is decided before a delegate runs: VERSION
 * and the spec's error results. ADD, DEL and CHECK with the real bridge plugin run in it-tests, inside
 * network namespaces.
 */
class CniCommandTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    @BeforeEach
    void runtimeEnvironment() {
        weft.env.put("CNI_CONTAINERID", "c1");
        weft.env.put("CNI_NETNS", "/run/netns/none");
        weft.env.put("CNI_IFNAME", "eth0");
        weft.env.put("CNI_PATH", dir.resolve("bin").toString());
        weft.stdin = netconf("1.0.0");
    }

    private String netconf(String version) {
        return "{\"cniVersion\":\"" + version + "\",\"name\":\"weftnet\",\"type\":\"weft\",\"subnetFile\":\""
                + dir.resolve("subnet.env") + "\",\"dataDir\":\"" + dir.resolve("data") + "\"}";
    }

    private JsonNode error(int code, String msg) throws IOException {
        CliHarness.Result r = weft.run("cni");
        assertEquals(1, r.code(), r.out());
        JsonNode err = MAPPER.readTree(r.out());
        assertEquals(code, err.get("code").asInt(), r.out());
        assertEquals(msg, err.get("msg").asText());
        assertTrue(err.has("cniVersion") && err.has("details"), r.out());
        return err;
    }

    @Test
    void versionListsTheSupportedVersions() throws IOException {
        weft.env.put("CNI_COMMAND", "VERSION");
        CliHarness.Result r = weft.run("cni");
        assertEquals(0, r.code());
        assertEquals(MAPPER.readTree("{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.3.0\",\"0.3.1\",\"0.4.0\",\"1.0.0\"]}"),
                MAPPER.readTree(r.out()));
    }

    @Test
    void anUnknownCommandIsAnEnvironmentError() throws IOException {
        weft.env.put("CNI_COMMAND", "FROB");
        error(4, "CNI_COMMAND \"FROB\" is not supported");
        weft.env.remove("CNI_COMMAND");
        error(4, "CNI_COMMAND is not set");
    }

    @Test
    void addWithoutANetnsIsAnEnvironmentError() throws IOException {
        weft.env.put("CNI_COMMAND", "ADD");
        weft.env.remove("CNI_NETNS");
        JsonNode err = error(4, "CNI_NETNS is not set");
        assertEquals("1.0.0", err.get("cniVersion").asText());
    }

    @Test
    void aMalformedConfigIsADecodeError() throws IOException {
        weft.env.put("CNI_COMMAND", "ADD");
        weft.stdin = "{\"cniVersion\":\"1.0.0\",";
        error(6, "network config on stdin is not valid JSON");
        weft.stdin = "{\"cniVersion\":\"1.0.0\"}";
        error(7, "network config has no name");
    }

    @Test
    void anUnsupportedVersionIsRefused() throws IOException {
        weft.env.put("CNI_COMMAND", "ADD");
        weft.stdin = netconf("0.2.0");
        error(1, "CNI version 0.2.0 is not supported");
    }

    @Test
    void aMissingSubnetEnvAsksWhetherTheDaemonRuns() throws IOException {
        weft.env.put("CNI_COMMAND", "ADD");
        JsonNode err = error(11, "subnet file " + dir.resolve("subnet.env") + " does not exist: is the weft daemon running?");
        assertEquals("1.0.0", err.get("cniVersion").asText());
        assertFalse(Files.exists(dir.resolve("data/c1")), "nothing is saved for a failed ADD");
    }

    @Test
    void aMissingDelegateNamesCniPath() throws IOException {
        weft.env.put("CNI_COMMAND", "ADD");
        Files.writeString(dir.resolve("subnet.env"),
                "FLANNEL_NETWORK=100.96.0.0/16\nFLANNEL_SUBNET=100.96.34.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=false\n");
        error(4, "delegate plugin bridge not found in CNI_PATH");
    }

    @Test
    void delOfAnUnknownContainerSucceedsEveryTime() {
        weft.env.put("CNI_COMMAND", "DEL");
        weft.env.remove("CNI_NETNS"); // the spec allows DEL after the namespace is gone
        for (int i = 0; i < 2; i++) {
            CliHarness.Result r = weft.run("cni");
            assertEquals(0, r.code(), r.out());
            assertEquals("", r.out());
        }
    }

    @Test
    void aCorruptSavedConfigIsAnErrorResultNotACrash() throws IOException {
        Files.createDirectories(dir.resolve("data"));
        Files.writeString(dir.resolve("data/c1"), "[1, 2]");
        weft.env.put("CNI_COMMAND", "DEL");
        error(6, "saved delegate config of c1 is corrupt");
        weft.env.put("CNI_COMMAND", "CHECK");
        error(6, "saved delegate config of c1 is corrupt");
    }

    @Test
    void checkOfAnUnknownContainerSaysSo() throws IOException {
        weft.env.put("CNI_COMMAND", "CHECK");
        error(3, "container c1 is unknown to weft");
        weft.stdin = netconf("0.3.1");
        error(1, "CHECK needs CNI version 0.4.0 or later");
    }
}
