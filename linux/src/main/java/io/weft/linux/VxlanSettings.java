package io.weft.linux;

/**
 * A VXLAN device's tunnel settings, as created and as read back. Immutable.
 *
 * @param vni       the VXLAN network identifier ({@code IFLA_VXLAN_ID})
 * @param local     the source address of the outer packets ({@code IFLA_VXLAN_LOCAL}), or 0 for none
 * @param underlay  the index of the device the outer packets leave through ({@code IFLA_VXLAN_LINK}), or 0
 * @param port      the outer UDP destination port ({@code IFLA_VXLAN_PORT}); 0 lets the kernel choose its
 *                  default, 8472
 * @param learning  learn remote MACs from received packets ({@code IFLA_VXLAN_LEARNING})
 * @param gbp       Group Based Policy extension ({@code IFLA_VXLAN_GBP})
 */
public record VxlanSettings(int vni, int local, int underlay, int port, boolean learning, boolean gbp) {
    /** The kernel's VXLAN port when none is given (the vxlan module's {@code udp_port} default). */
    public static final int KERNEL_DEFAULT_PORT = 8472;

    public VxlanSettings {
        if (vni < 0 || vni > 0xffffff) {
            throw new IllegalArgumentException("VNI " + vni + " is not 0 to 16777215");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port " + port + " is not 0 to 65535");
        }
    }
}
