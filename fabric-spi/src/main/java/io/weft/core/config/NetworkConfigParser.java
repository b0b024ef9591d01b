package io.weft.core.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.NetworkConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Iterator;
import java.util.Map;
import java.util.TreeMap;

/**
 * Reads flannel's network config JSON into a validated {@link NetworkConfig}. Keys are matched ignoring
 * case; unknown keys (flannel's IPv6 fields, say) are ignored. Every rejection names the field, the value
 * and the rule. Stateless and thread-safe.
 */
public final class NetworkConfigParser {
    /** The longest Network prefix accepted: a /28 still holds four /30 subnets. */
    public static final int MAX_NETWORK_PREFIX = 28;
    /** The longest SubnetLen accepted. */
    public static final int MAX_SUBNET_LEN = 30;

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private NetworkConfigParser() {
    }

    /** Parses and validates UTF-8 JSON text. */
    public static NetworkConfig parse(String json) {
        return parse(json.getBytes(StandardCharsets.UTF_8));
    }

    /** Parses and validates UTF-8 JSON bytes; a syntax error names its byte offset. */
    public static NetworkConfig parse(byte[] json) {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            long offset = e.getLocation() == null ? -1 : e.getLocation().getByteOffset();
            throw new WeftException("network config is not valid JSON at byte offset " + offset + ": "
                    + e.getOriginalMessage() + "; fix the JSON and store it again", e);
        } catch (IOException e) {
            throw new WeftException("network config could not be read: " + e.getMessage(), e);
        }
        if (root == null || root.isMissingNode()) {
            throw new WeftException("network config is empty: give a JSON object such as "
                    + "{\"Network\":\"10.5.0.0/16\"}");
        }
        if (!root.isObject()) {
            throw new WeftException("network config must be a JSON object, not " + root.getNodeType().name().toLowerCase()
                    + ": give one such as {\"Network\":\"10.5.0.0/16\"}");
        }
        return fromTree((ObjectNode) root);
    }

    private static NetworkConfig fromTree(ObjectNode root) {
        Map<String, JsonNode> fields = caseInsensitive(root);
        JsonNode networkNode = fields.get("Network");
        if (networkNode == null || networkNode.isNull()) {
            throw new WeftException("Network is missing: add a field such as \"Network\": \"10.5.0.0/16\"");
        }
        Ipv4Subnet network = Ipv4Subnet.parse("Network", text("Network", networkNode));
        if (network.prefixLength() > MAX_NETWORK_PREFIX) {
            throw new WeftException("Network " + network + " is too small: its prefix must be /" + MAX_NETWORK_PREFIX
                    + " or shorter");
        }

        int subnetLen = network.prefixLength() <= 22 ? 24 : network.prefixLength() + 2;
        JsonNode lenNode = fields.get("SubnetLen");
        if (lenNode != null && !lenNode.isNull()) {
            if (!lenNode.isIntegralNumber() || !lenNode.canConvertToInt()) {
                throw new WeftException("SubnetLen " + lenNode + " is not a whole number: write it as, for example, 24");
            }
            subnetLen = lenNode.intValue();
        }
        if (subnetLen > MAX_SUBNET_LEN) {
            throw new WeftException("SubnetLen " + subnetLen + " is too long: it must be at most " + MAX_SUBNET_LEN);
        }
        if (subnetLen < network.prefixLength() + 2) {
            throw new WeftException("SubnetLen " + subnetLen + " is too short for Network " + network
                    + ": it must be at least " + (network.prefixLength() + 2));
        }

        long step = 1L << (32 - subnetLen);
        Ipv4Subnet defaultMin = new Ipv4Subnet((int) (Integer.toUnsignedLong(network.base()) + step), subnetLen);
        Ipv4Subnet defaultMax = new Ipv4Subnet((int) (Integer.toUnsignedLong(network.last()) - step + 1), subnetLen);
        Ipv4Subnet min = bound("SubnetMin", fields.get("SubnetMin"), network, subnetLen, defaultMin);
        Ipv4Subnet max = bound("SubnetMax", fields.get("SubnetMax"), network, subnetLen, defaultMax);
        if (Integer.compareUnsigned(min.base(), max.base()) > 0) {
            throw new WeftException("SubnetMin " + Ipv4.format(min.base()) + " is above SubnetMax "
                    + Ipv4.format(max.base()) + ": SubnetMin must not exceed SubnetMax");
        }
        return new NetworkConfig(network, subnetLen, min, max, backend(fields.get("Backend")));
    }

    private static Ipv4Subnet bound(String field, JsonNode node, Ipv4Subnet network, int subnetLen, Ipv4Subnet dflt) {
        if (node == null || node.isNull()) {
            return dflt;
        }
        String text = text(field, node);
        int address = Ipv4.parse(field, text);
        if (!network.contains(address)) {
            throw new WeftException(field + " " + text + " is outside Network " + network
                    + ": it must lie inside the Network");
        }
        if ((address & ~Ipv4Subnet.mask(subnetLen)) != 0) {
            throw new WeftException(field + " " + text + " is not on a /" + subnetLen + " subnet boundary: use "
                    + Ipv4.format(address & Ipv4Subnet.mask(subnetLen)));
        }
        return new Ipv4Subnet(address, subnetLen);
    }

    private static BackendConfig backend(JsonNode node) {
        if (node == null || node.isNull()) {
            return BackendConfig.ofType(BackendConfig.DEFAULT_TYPE);
        }
        if (!node.isObject()) {
            throw new WeftException("Backend " + node + " is not a JSON object: write it as {\"Type\":\"udp\"}");
        }
        JsonNode type = caseInsensitive((ObjectNode) node).get("Type");
        if (type == null || type.isNull()) {
            return new BackendConfig(BackendConfig.DEFAULT_TYPE, (ObjectNode) node);
        }
        return new BackendConfig(text("Backend.Type", type), (ObjectNode) node);
    }

    private static String text(String field, JsonNode node) {
        if (!node.isTextual()) {
            throw new WeftException(field + " " + node + " is not a string: put it in double quotes");
        }
        return node.textValue();
    }

    private static Map<String, JsonNode> caseInsensitive(ObjectNode node) {
        Map<String, JsonNode> map = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        Iterator<Map.Entry<String, JsonNode>> it = node.fields();
        while (it.hasNext()) {
            Map.Entry<String, JsonNode> e = it.next();
            if (map.putIfAbsent(e.getKey(), e.getValue()) != null) {
                throw new WeftException("field " + e.getKey() + " appears twice (keys ignore case): keep one");
            }
        }
        return map;
    }
}
