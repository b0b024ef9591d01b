package io.weft.linux;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;

/**
 * An IPv4 address on a device, with its prefix length. Immutable.
 *
 * @param index        the device's interface index
 * @param address      the address ({@code IFA_LOCAL})
 * @param prefixLength the prefix length
 */
public record LinkAddress(int index, int address, int prefixLength) {
    /** The subnet the address puts on the link, e.g. {@code 198.18.0.0/24} for {@code 198.18.0.1/24}. */
    public Ipv4Subnet subnet() {
        return Ipv4Subnet.containing(address, prefixLength);
    }

    @Override
    public String toString() {
        return Ipv4.format(address) + "/" + prefixLength + " on interface " + index;
    }
}
