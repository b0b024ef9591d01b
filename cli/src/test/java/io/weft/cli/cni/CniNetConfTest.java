package io.weft.cli.cni;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The network config on stdin when it is not what a runtime sends: each case a spec error, on one line. */
class CniNetConfTest {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /**
     * Bytes Jackson reads as UTF-32 that hold no valid character: a decode failure of the config, not an I/O
     * failure (stdin was read already). Found by CniNetConfFuzzTest.
     */
    @Test
    void anUnreadableEncodingIsADecodeFailure() {
        byte[] stdin = "\0\0\0\0\0\0\0\0sion\":\"1.0.0et\",\"type\":\"weft\"}".getBytes(StandardCharsets.ISO_8859_1);
        CniException e = assertThrows(CniException.class, () -> CniNetConf.parse(MAPPER, stdin));
        assertEquals(CniException.DECODE_FAILURE, e.code());
        assertEquals("network config on stdin is not valid JSON", e.getMessage());
    }

    /** A NUL in subnetFile or dataDir is an invalid config, not the plugin's catch-all. Found by CniNetConfFuzzTest. */
    @Test
    void aPathThatCannotBeOneIsAnInvalidConfig() throws Exception {
        for (String key : new String[] {"subnetFile", "dataDir"}) {
            byte[] stdin = ("{\"name\":\"n\",\"" + key + "\":\"a\\u0000b\"}").getBytes(StandardCharsets.UTF_8);
            CniException e = assertThrows(CniException.class, () -> CniNetConf.parse(MAPPER, stdin));
            assertEquals(CniException.INVALID_CONFIG, e.code());
            assertEquals("network config field " + key + " is not a path", e.getMessage());
            assertEquals(key + " is \"a\\u0000b\": Nul character not allowed", e.details());
            JsonNode error = MAPPER.readTree(new CniPlugin(Map.of("CNI_COMMAND", "ADD")).run(() -> stdin).stdout());
            assertEquals(CniException.INVALID_CONFIG, error.get("code").asInt());
        }
    }

    /** A value quoted in the message or details cannot break the line the runtime logs it on. */
    @Test
    void aMessageStaysOneLine() throws Exception {
        CniPlugin.Outcome out = new CniPlugin(Map.of("CNI_COMMAND", "ADD")).run(
                () -> "{\"cniVersion\":\"9\\n\\u001b[2J\",\"name\":\"n\"}".getBytes(StandardCharsets.UTF_8));
        JsonNode error = MAPPER.readTree(out.stdout());
        assertEquals(CniException.INCOMPATIBLE_VERSION, error.get("code").asInt());
        assertEquals("CNI version 9\\n\\u001b[2J is not supported", error.get("msg").asText());
        CniException e = assertThrows(CniException.class, () -> CniNetConf.parse(MAPPER,
                "{\"name\":\"n\",\"dataDir\":[\"a\\nb\"]}".getBytes(StandardCharsets.UTF_8)));
        assertEquals("dataDir is [\"a\\nb\"]", e.details());
    }
}
