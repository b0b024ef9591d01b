package io.weft.linux;

import io.weft.core.model.Ipv4;
import java.util.Objects;

/**
 * A bridge forwarding-database entry of a VXLAN device: frames for {@code mac} go to the remote VTEP at
 * {@code destination}. Immutable.
 *
 * @param index       the VXLAN device's interface index
 * @param mac         the remote VTEP's MAC
 * @param destination the remote VTEP's underlay IPv4 address ({@code NDA_DST}), or 0 for an entry without one
 * @param permanent   whether the entry is permanent (as weft's are), not learnt
 */
public record FdbEntry(int index, MacAddress mac, int destination, boolean permanent) {
    public FdbEntry {
        Objects.requireNonNull(mac, "mac is null");
    }

    /** A permanent entry, as weft sets them. */
    public static FdbEntry permanent(int index, MacAddress mac, int destination) {
        return new FdbEntry(index, mac, destination, true);
    }

    @Override
    public String toString() {
        return mac + " dev #" + index + (destination == 0 ? "" : " dst " + Ipv4.format(destination)) + " self"
                + (permanent ? " permanent" : "");
    }
}
