package io.weft.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code Backend} section of the network config: its {@code Type} and every other field as given, for
 * the chosen backend to read. Field lookups ignore case, as flannel's do. Immutable: the JSON is copied in
 * and never handed out for mutation.
 */
public record BackendConfig(String type, ObjectNode fields) {
    public static final String DEFAULT_TYPE = "udp";

    public BackendConfig {
        Objects.requireNonNull(type, "type is null");
        fields = fields == null ? JsonNodeFactory.instance.objectNode() : fields.deepCopy();
        if (type.isBlank()) {
            throw new WeftException("Backend.Type \"" + type + "\" is empty: name a backend such as udp");
        }
    }

    /** A backend config with only a type. */
    public static BackendConfig ofType(String type) {
        ObjectNode node = JsonNodeFactory.instance.objectNode();
        node.put("Type", type);
        return new BackendConfig(type, node);
    }

    /** The field's value, found ignoring case, or empty when absent or JSON null. */
    public Optional<JsonNode> field(String name) {
        Iterator<Map.Entry<String, JsonNode>> it = fields.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (e.getKey().equalsIgnoreCase(name) && !e.getValue().isNull()) {
                return Optional.of(e.getValue().deepCopy());
            }
        }
        return Optional.empty();
    }

    /** An integer field with a default, failing with a message that names {@code Backend.<name>}. */
    public int intField(String name, int defaultValue, int min, int max) {
        Optional<JsonNode> node = field(name);
        if (node.isEmpty()) {
            return defaultValue;
        }
        JsonNode v = node.get();
        if (!v.canConvertToInt() || !v.isIntegralNumber()) {
            throw new WeftException("Backend." + name + " " + v + " is not a whole number: write it as, for example, "
                    + defaultValue);
        }
        int value = v.intValue();
        if (value < min || value > max) {
            throw new WeftException("Backend." + name + " " + value + " is out of range: it must be from " + min
                    + " to " + max);
        }
        return value;
    }

    /** A true/false field with a default, failing with a message that names {@code Backend.<name>}. */
    public boolean booleanField(String name, boolean defaultValue) {
        return field(name).map(v -> {
            if (!v.isBoolean()) {
                throw new WeftException("Backend." + name + " " + v + " is not true or false: write it without quotes,"
                        + " for example " + defaultValue);
            }
            return v.booleanValue();
        }).orElse(defaultValue);
    }

    /** A text field, failing with a message that names {@code Backend.<name>} when it is not a string. */
    public Optional<String> textField(String name) {
        return field(name).map(v -> {
            if (!v.isTextual()) {
                throw new WeftException("Backend." + name + " " + v + " is not a string: put it in double quotes");
            }
            return v.textValue();
        });
    }

    /** The fields as a fresh copy. */
    @Override
    public ObjectNode fields() {
        return fields.deepCopy();
    }
}
