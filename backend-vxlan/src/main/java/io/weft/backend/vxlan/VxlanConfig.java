package io.weft.backend.vxlan;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import java.util.OptionalInt;

/**
 * The vxlan backend's settings from the network config's {@code Backend} section, with flanneld's names and
 * defaults. Immutable.
 *
 * @param vni           {@code VNI}: the VXLAN id and the device's name suffix (default 1)
 * @param port          {@code Port}: the UDP port; 0 (the default) lets the kernel use its default, 8472
 * @param gbp           {@code GBP}: the VXLAN Group Based Policy extension
 * @param learning      {@code Learning}: let the device learn remote MACs (off, as flanneld sets it)
 * @param directRouting {@code DirectRouting}: route plainly to peers on this host's L2 subnet, without VXLAN
 * @param mtu           {@code MTU}: the underlay MTU the device is sized for (the device gets 50 less, as
 *                      flanneld does); empty for the external interface's MTU
 */
record VxlanConfig(int vni, int port, boolean gbp, boolean learning, boolean directRouting, OptionalInt mtu) {
    static final int DEFAULT_VNI = 1;
    /** The outer Ethernet (14), IPv4 (20), UDP (8) and VXLAN (8) headers. */
    static final int OVERHEAD = 50;

    static VxlanConfig from(BackendConfig backend) {
        OptionalInt mtu = backend.field("MTU").isPresent()
                ? OptionalInt.of(backend.intField("MTU", 0, 68 + OVERHEAD, 65535)) : OptionalInt.empty();
        return new VxlanConfig(backend.intField("VNI", DEFAULT_VNI, 0, 0xffffff), backend.intField("Port", 0, 0, 65535),
                backend.booleanField("GBP", false), backend.booleanField("Learning", false),
                backend.booleanField("DirectRouting", false), mtu);
    }

    /** {@code flannel.<VNI>}, as flanneld names it. */
    String deviceName() {
        return "flannel." + vni;
    }

    /**
     * The device MTU on an external interface of {@code externalMtu}: {@code MTU} (or the external MTU) minus 50.
     *
     * @throws WeftException when {@code MTU} asks for a device larger than the external interface can carry
     */
    int deviceMtu(String external, int externalMtu) {
        int mtu = this.mtu.orElse(externalMtu) - OVERHEAD;
        if (mtu > externalMtu - OVERHEAD && this.mtu.isPresent()) {
            throw new WeftException("Backend.MTU " + this.mtu.getAsInt() + " is larger than external interface "
                    + external + "'s MTU " + externalMtu + ", so VXLAN packets would not fit: give at most "
                    + externalMtu + ", or leave MTU out to use it");
        }
        return mtu;
    }
}
