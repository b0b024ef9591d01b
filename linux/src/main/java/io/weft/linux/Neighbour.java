package io.weft.linux;

import io.weft.core.model.Ipv4;
import java.util.Objects;

/**
 * An IPv4 neighbour (ARP) entry on a device. Immutable.
 *
 * @param index   the device's interface index
 * @param address the neighbour's IPv4 address
 * @param mac     its hardware address, or null when the entry has none (e.g. an unresolved one)
 * @param state   the {@code NUD_*} state bits, e.g. {@link #NUD_PERMANENT}
 */
public record Neighbour(int index, int address, MacAddress mac, int state) {
    public static final int NUD_PERMANENT = 0x80;

    /** A permanent entry, as weft sets them. */
    public static Neighbour permanent(int index, int address, MacAddress mac) {
        return new Neighbour(index, address, Objects.requireNonNull(mac, "mac is null"), NUD_PERMANENT);
    }

    public boolean isPermanent() {
        return (state & NUD_PERMANENT) != 0;
    }

    @Override
    public String toString() {
        return Ipv4.format(address) + " lladdr " + mac + " dev #" + index + (isPermanent() ? " permanent" : "");
    }
}
