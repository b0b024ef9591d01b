package io.weft.backend.udp;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.spi.backend.ExternalInterface;
import java.util.regex.Pattern;

/**
 * The udp backend's settings, read from the network config's {@code Backend} section and the external
 * interface. Immutable.
 *
 * @param port   {@code Backend.Port}: the UDP port every host listens on and sends to (default 8285)
 * @param device {@code Backend.Device}: the TUN device name (default {@code weft0})
 * @param mtu    the TUN MTU: the external interface MTU minus 28 (IPv4 20 + UDP 8 bytes of outer headers)
 */
record UdpSettings(int port, String device, int mtu) {
    static final int DEFAULT_PORT = 8285;
    static final String DEFAULT_DEVICE = "weft0";
    static final int OVERHEAD = 28;
    static final int MIN_MTU = 68;
    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    UdpSettings {
        if (!DEVICE_NAME.matcher(device).matches() || device.equals(".") || device.equals("..")) {
            throw new WeftException("Backend.Device \"" + device + "\" is not a usable device name: use 1 to 15"
                    + " letters, digits, '_', '.' or '-', such as " + DEFAULT_DEVICE);
        }
    }

    static UdpSettings from(BackendConfig backend, ExternalInterface external) {
        int port = backend.intField("Port", DEFAULT_PORT, 1, 65535);
        String device = backend.textField("Device").orElse(DEFAULT_DEVICE);
        int mtu = external.mtu() - OVERHEAD;
        if (mtu < MIN_MTU) {
            throw new WeftException("external interface " + external.name() + " has MTU " + external.mtu()
                    + ", too small for the udp backend: it needs at least " + (MIN_MTU + OVERHEAD)
                    + "; pick another interface with --iface");
        }
        return new UdpSettings(port, device, mtu);
    }
}
