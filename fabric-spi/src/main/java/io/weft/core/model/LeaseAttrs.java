package io.weft.core.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.util.Objects;

/**
 * What a host says about itself in its lease: where to reach it and what its backend needs (flannel's
 * {@code LeaseAttrs}). Immutable; {@code backendData} is copied in and out.
 *
 * @param publicIp    the underlay IPv4 address peers send to
 * @param publicIpv6  the underlay IPv6 address, or null
 * @param backendType the backend that wrote the lease, e.g. {@code udp}
 * @param backendData backend-specific JSON, {@link NullNode} when there is none
 */
public record LeaseAttrs(String publicIp, String publicIpv6, String backendType, JsonNode backendData) {

    public LeaseAttrs {
        Objects.requireNonNull(publicIp, "publicIp is null");
        Ipv4.parse("PublicIP", publicIp);
        backendType = backendType == null ? "" : backendType;
        backendData = backendData == null ? NullNode.instance : backendData.deepCopy();
    }

    /** Attributes with no IPv6 address and no backend data. */
    public static LeaseAttrs of(String publicIp, String backendType) {
        return new LeaseAttrs(publicIp, null, backendType, null);
    }

    @Override
    public JsonNode backendData() {
        return backendData.deepCopy();
    }
}
