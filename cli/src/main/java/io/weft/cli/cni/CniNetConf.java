package io.weft.cli.cni;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * The network config a runtime passes on stdin, with flannel's plugin keys: {@code subnetFile},
 * {@code dataDir}, {@code delegate}, {@code ipam}, {@code runtimeConfig}. Immutable: the JSON parts are
 * copied on the way in and out.
 */
record CniNetConf(String cniVersion, String name, Path subnetFile, Path dataDir, ObjectNode delegate, ObjectNode ipam,
        JsonNode runtimeConfig, JsonNode prevResult) {

    static final Path DEFAULT_SUBNET_FILE = io.weft.core.daemon.SubnetEnvFile.DEFAULT_PATH;
    static final Path DEFAULT_DATA_DIR = Path.of("/var/lib/cni/weft");

    static CniNetConf parse(ObjectMapper mapper, byte[] stdin) {
        JsonNode root;
        try {
            root = mapper.readTree(stdin);
        } catch (JsonProcessingException e) {
            throw new CniException(CniException.DECODE_FAILURE, "network config on stdin is not valid JSON",
                    e.getOriginalMessage());
        } catch (java.io.IOException e) {
            // stdin is already read: this is the bytes' encoding (e.g. CharConversionException), not I/O
            throw new CniException(CniException.DECODE_FAILURE, "network config on stdin is not valid JSON",
                    e.getMessage());
        }
        if (root == null || !root.isObject()) {
            throw new CniException(CniException.DECODE_FAILURE, "network config on stdin is not a JSON object",
                    "give the network config JSON on stdin");
        }
        String cniVersion = text(root, "cniVersion", "");
        String name = text(root, "name", "");
        if (name.isEmpty()) {
            throw new CniException(CniException.INVALID_CONFIG, "network config has no name", "add \"name\" to the config");
        }
        return new CniNetConf(cniVersion, name, path(root, "subnetFile", DEFAULT_SUBNET_FILE),
                path(root, "dataDir", DEFAULT_DATA_DIR),
                object(root, "delegate"), object(root, "ipam"), root.get("runtimeConfig"), root.get("prevResult"));
    }

    private static String text(JsonNode root, String key, String dflt) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isTextual()) {
            throw new CniException(CniException.INVALID_CONFIG, "network config field " + key + " must be a string",
                    key + " is " + v);
        }
        return v.textValue();
    }

    private static Path path(JsonNode root, String key, Path dflt) {
        String text = text(root, key, dflt.toString());
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            throw new CniException(CniException.INVALID_CONFIG, "network config field " + key + " is not a path",
                    key + " is \"" + text + "\": " + e.getReason());
        }
    }

    private static ObjectNode object(JsonNode root, String key) {
        JsonNode v = root.get(key);
        if (v == null || v.isNull()) {
            return null;
        }
        if (!v.isObject()) {
            throw new CniException(CniException.INVALID_CONFIG, "network config field " + key + " must be an object",
                    key + " is " + v);
        }
        return ((ObjectNode) v).deepCopy();
    }
}
