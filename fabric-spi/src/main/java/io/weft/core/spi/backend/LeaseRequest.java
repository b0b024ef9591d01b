package io.weft.core.spi.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.NullNode;
import io.weft.core.WeftException;
import java.util.Objects;

/**
 * What a backend needs in this host's lease, said before the lease is taken. Immutable.
 *
 * @param backendType the lease's {@code BackendType}, e.g. {@code udp}
 * @param backendData the lease's {@code BackendData}, {@link NullNode} when there is none
 * @param mtuOverhead bytes of encapsulation per packet: the overlay MTU is the external MTU minus this
 */
public record LeaseRequest(String backendType, JsonNode backendData, int mtuOverhead) {
    /** The smallest overlay MTU weft runs with: IPv4's minimum (RFC 791). */
    public static final int MIN_MTU = 68;

    public LeaseRequest {
        Objects.requireNonNull(backendType, "backendType is null");
        backendData = backendData == null ? NullNode.instance : backendData.deepCopy();
        if (mtuOverhead < 0) {
            throw new IllegalArgumentException("mtuOverhead " + mtuOverhead + " is negative");
        }
    }

    /** A request with no backend data. */
    public static LeaseRequest of(String backendType, int mtuOverhead) {
        return new LeaseRequest(backendType, null, mtuOverhead);
    }

    /**
     * The overlay MTU on {@code external}: its MTU minus {@link #mtuOverhead()}.
     *
     * @throws WeftException when that is below {@link #MIN_MTU}, naming the interface and the fix
     */
    public int overlayMtu(ExternalInterface external) {
        int mtu = external.mtu() - mtuOverhead;
        if (mtu < MIN_MTU) {
            throw new WeftException("external interface " + external.name() + " has MTU " + external.mtu()
                    + ", too small for the " + backendType + " backend: its overlay MTU would be " + mtu + " ("
                    + mtuOverhead + " bytes of encapsulation), below the minimum " + MIN_MTU
                    + "; pick another interface with --iface");
        }
        return mtu;
    }

    @Override
    public JsonNode backendData() {
        return backendData.deepCopy();
    }
}
