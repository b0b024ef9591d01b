package io.weft.cli.cni;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.daemon.SubnetEnv;
import io.weft.core.model.Ipv4;

/**
 * Builds the config handed to the delegate plugin, as flannel's plugin does: {@code bridge} unless the
 * user's {@code delegate} names another type, {@code host-local} IPAM over FLANNEL_SUBNET with a route
 * to FLANNEL_NETWORK, FLANNEL_MTU as the MTU, and {@code ipMasq} the opposite of FLANNEL_IPMASQ (the
 * delegate masquerades only when weft does not), the bridge's address as the gateway of that route. Keys the user set in {@code delegate} or {@code ipam}
 * win, except {@code name} and {@code ipam}, which the plugin owns. Stateless.
 */
final class DelegateConfig {
    private DelegateConfig() {
    }

    static ObjectNode build(CniNetConf conf, SubnetEnv env) {
        ObjectNode delegate = conf.delegate() == null ? JsonNodeFactory.instance.objectNode() : conf.delegate();
        if (delegate.has("type") && !delegate.get("type").isTextual()) {
            throw new CniException(CniException.INVALID_CONFIG, "delegate.type must be a string",
                    "delegate.type is " + delegate.get("type"));
        }
        for (String owned : new String[] {"name", "ipam"}) {
            if (delegate.has(owned)) {
                throw new CniException(CniException.INVALID_CONFIG, "delegate must not set " + owned,
                        "weft sets delegate." + owned + "; remove it from the delegate section");
            }
        }
        delegate.put("name", conf.name());
        if (!delegate.has("type")) {
            delegate.put("type", "bridge");
        }
        if (!delegate.has("ipMasq")) {
            delegate.put("ipMasq", !env.ipMasq());
        }
        if (!delegate.has("mtu")) {
            delegate.put("mtu", env.mtu());
        }
        if ("bridge".equals(delegate.get("type").textValue()) && !delegate.has("isGateway")) {
            delegate.put("isGateway", true);
        }
        if (!conf.cniVersion().isEmpty()) {
            delegate.put("cniVersion", conf.cniVersion());
        }
        if (conf.runtimeConfig() != null) {
            delegate.set("runtimeConfig", conf.runtimeConfig().deepCopy());
        }
        boolean bridgeGateway = "bridge".equals(delegate.get("type").textValue())
                && delegate.path("isGateway").asBoolean(false);
        delegate.set("ipam", ipam(conf, env, bridgeGateway));
        return delegate;
    }

    /**
     * The IPAM section. When the bridge is the gateway, the route to the Network names it (the subnet's
     * first address, which host-local gives the bridge): the routes the delegate installs and the ones
     * its CHECK expects then agree.
     */
    private static ObjectNode ipam(CniNetConf conf, SubnetEnv env, boolean bridgeGateway) {
        ObjectNode ipam = conf.ipam() == null ? JsonNodeFactory.instance.objectNode() : conf.ipam();
        if (!ipam.has("type")) {
            ipam.put("type", "host-local");
        }
        ArrayNode ranges = ipam.putArray("ranges");
        ranges.addArray().addObject().put("subnet", env.subnet().toString());
        JsonNode userRoutes = ipam.get("routes");
        ArrayNode routes = JsonNodeFactory.instance.arrayNode();
        if (userRoutes != null && userRoutes.isArray()) {
            routes.addAll((ArrayNode) userRoutes);
        }
        ObjectNode route = routes.addObject().put("dst", env.network().toString());
        if (bridgeGateway) {
            route.put("gw", Ipv4.format(env.subnet().base() + 1));
        }
        ipam.set("routes", routes);
        return ipam;
    }
}
