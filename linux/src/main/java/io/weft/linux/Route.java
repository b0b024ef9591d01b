package io.weft.linux;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.util.Objects;

/**
 * An IPv4 route as weft sets it and as a dump shows it. Two routes are the same kernel entry when
 * {@link #sameEntry} says so: destination, gateway, device and the onlink flag (the table is always main).
 * Immutable.
 *
 * @param destination     the destination subnet
 * @param gateway         the next hop, or 0 for a route without one
 * @param outputInterface the device's interface index ({@code RTA_OIF}), or 0 for none
 * @param onlink          {@code RTNH_F_ONLINK}: the gateway is on the device whatever its addresses say
 * @param table           the routing table ({@link #TABLE_MAIN} for weft's routes)
 * @param protocol        who installed it ({@link #PROTOCOL_BOOT} for weft's, as for flanneld's and iproute2's)
 * @param scope           the scope ({@code RT_SCOPE_UNIVERSE}, 0, for routes via a gateway)
 * @param type            the route type ({@link #TYPE_UNICAST} for weft's)
 */
public record Route(Ipv4Subnet destination, int gateway, int outputInterface, boolean onlink, int table,
        int protocol, int scope, int type) {
    public static final int TABLE_MAIN = 254;
    public static final int PROTOCOL_BOOT = 3;
    public static final int SCOPE_UNIVERSE = 0;
    public static final int TYPE_UNICAST = 1;

    public Route {
        Objects.requireNonNull(destination, "destination is null");
    }

    /** A main-table unicast route to {@code destination} via {@code gateway} on device {@code outputInterface}. */
    public static Route via(Ipv4Subnet destination, int gateway, int outputInterface, boolean onlink) {
        return new Route(destination, gateway, outputInterface, onlink, TABLE_MAIN, PROTOCOL_BOOT, SCOPE_UNIVERSE,
                TYPE_UNICAST);
    }

    /** Whether {@code other} is the same entry: destination, gateway, device and onlink flag. */
    public boolean sameEntry(Route other) {
        return destination.equals(other.destination) && gateway == other.gateway
                && outputInterface == other.outputInterface && onlink == other.onlink;
    }

    /** As {@code ip route} prints it, with the device's index: {@code 100.96.3.0/24 via 100.96.3.0 dev #5 onlink}. */
    @Override
    public String toString() {
        return destination + (gateway == 0 ? "" : " via " + Ipv4.format(gateway))
                + (outputInterface == 0 ? "" : " dev #" + outputInterface) + (onlink ? " onlink" : "")
                + (table == TABLE_MAIN ? "" : " table " + table);
    }
}
