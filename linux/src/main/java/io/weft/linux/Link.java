package io.weft.linux;

/**
 * A network device as an rtnetlink dump shows it. Immutable.
 *
 * @param index the interface index
 * @param name  the device name
 * @param kind  {@code IFLA_INFO_KIND} (e.g. {@code vxlan}, {@code veth}), or empty for a device without one
 * @param mtu   the MTU
 * @param mac   the hardware address, or null for a device without a 6-byte one
 * @param up    whether the administrative up flag is set
 * @param vxlan the VXLAN settings of a {@code vxlan} device, else null
 */
public record Link(int index, String name, String kind, int mtu, MacAddress mac, boolean up, VxlanSettings vxlan) {
}
