package io.weft.core.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.Excerpt;
import io.weft.core.WeftException;
import io.weft.core.model.LeaseAttrs;
import java.util.Iterator;
import java.util.Map;

/**
 * Encodes and decodes a lease's value in flannel's JSON form:
 * {@code {"PublicIP":"198.18.0.2","PublicIPv6":null,"BackendType":"vxlan","BackendData":{...}}}, byte for byte as
 * flanneld writes it (Go's encoder: fields in order, no spaces, {@code BackendData} left out when there is none).
 * Decoding ignores key case and unknown keys, as Go's encoding/json does. Stateless and thread-safe.
 */
public final class LeaseJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private LeaseJson() {
    }

    public static String encode(LeaseAttrs attrs) {
        ObjectNode node = MAPPER.createObjectNode();
        node.put("PublicIP", attrs.publicIp());
        if (attrs.publicIpv6() == null) {
            node.putNull("PublicIPv6");
        } else {
            node.put("PublicIPv6", attrs.publicIpv6());
        }
        node.put("BackendType", attrs.backendType());
        // flanneld's BackendData is a json.RawMessage with omitempty: a lease without backend data has no key.
        if (!attrs.backendData().isNull()) {
            node.set("BackendData", attrs.backendData());
        }
        try {
            return MAPPER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new WeftException("lease value could not be encoded: " + e.getOriginalMessage(), e);
        }
    }

    /**
     * Decodes a lease value; {@code key} names the lease in any error, which shows key and value only as
     * {@link Excerpt}s: both come from whoever can write to etcd.
     */
    public static LeaseAttrs decode(String key, String json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            throw new WeftException("lease " + Excerpt.of(key) + " is not valid JSON: "
                    + Excerpt.of(e.getOriginalMessage(), 2 * Excerpt.DEFAULT_LENGTH), e);
        }
        if (root == null || !root.isObject()) {
            throw new WeftException("lease " + Excerpt.of(key) + " is not a JSON object: " + Excerpt.of(json));
        }
        String publicIp = null;
        String publicIpv6 = null;
        String backendType = null;
        JsonNode backendData = null;
        Iterator<Map.Entry<String, JsonNode>> it = root.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            JsonNode v = e.getValue();
            switch (e.getKey().toLowerCase(java.util.Locale.ROOT)) {
                case "publicip" -> publicIp = v.isTextual() ? v.textValue() : null;
                case "publicipv6" -> publicIpv6 = v.isTextual() ? v.textValue() : null;
                case "backendtype" -> backendType = v.isTextual() ? v.textValue() : null;
                case "backenddata" -> backendData = v;
                default -> { }
            }
        }
        if (publicIp == null) {
            throw new WeftException("lease " + Excerpt.of(key) + " has no PublicIP: " + Excerpt.of(json));
        }
        return new LeaseAttrs(publicIp, publicIpv6, backendType, backendData);
    }
}
