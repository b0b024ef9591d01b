package io.weft.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;

/**
 * The secret in a stored network config, {@code Backend.PSK} (keys matched ignoring case, as the config parser
 * does, whatever the backend type): {@code weft config get} shows it as {@value #REDACTED}, and
 * {@code weft config put} refuses that placeholder, so a config copied from {@code get} cannot overwrite the
 * real key with it. Stateless.
 */
final class ConfigSecrets {
    static final String REDACTED = "<redacted>";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private ConfigSecrets() {
    }

    /**
     * The config with {@code Backend.PSK} replaced by {@value #REDACTED}, re-serialised; the stored text itself
     * when it holds no PSK.
     *
     * @throws WeftException when the stored text is not JSON: what it hides cannot be told
     */
    static String redact(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new WeftException("the stored network config is not valid JSON, so weft cannot hide a PSK in it:"
                    + " print it as stored with --show-secrets, and replace it with weft config put");
        }
        Optional<Map.Entry<String, JsonNode>> psk = psk(root);
        if (psk.isEmpty()) {
            return json;
        }
        ObjectNode backend = (ObjectNode) field(root, "Backend").orElseThrow().getValue();
        backend.put(psk.get().getKey(), REDACTED);
        try {
            return MAPPER.writeValueAsString(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a parsed tree always serialises", e);
        }
    }

    /** Fails when {@code Backend.PSK} is the placeholder {@link #redact} prints. */
    static void refusePlaceholder(String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            return; // the config parser has said what is wrong with it already
        }
        psk(root).filter(e -> REDACTED.equals(e.getValue().asText())).ifPresent(e -> {
            throw new WeftException("Backend." + e.getKey() + " is \"" + REDACTED + "\", the placeholder weft config"
                    + " get prints instead of the key: put the real PSK there (weft config get --show-secrets prints"
                    + " it), or remove it and give each daemon --ipsec-psk-file FILE");
        });
    }

    private static Optional<Map.Entry<String, JsonNode>> psk(JsonNode root) {
        return field(root, "Backend").map(Map.Entry::getValue).flatMap(b -> field(b, "PSK"));
    }

    private static Optional<Map.Entry<String, JsonNode>> field(JsonNode node, String name) {
        if (node == null || !node.isObject()) {
            return Optional.empty();
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isNull()) {
                return Optional.of(e);
            }
        }
        return Optional.empty();
    }
}
