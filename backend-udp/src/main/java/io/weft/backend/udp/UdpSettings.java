package io.weft.backend.udp;

import io.weft.core.model.BackendConfig;

/**
 * The udp backend's settings, read from the network config's {@code Backend} section. Immutable.
 *
 * @param port   {@code Backend.Port}: the UDP port every host listens on and sends to (default 8285)
 * @param device {@code Backend.Device}: the TUN device name (default {@code weft0}), checked by
 *               {@link UdpDataPath#device}
 */
record UdpSettings(int port, String device) {
    static final int DEFAULT_PORT = 8285;

    static UdpSettings from(BackendConfig backend) {
        return new UdpSettings(backend.intField("Port", DEFAULT_PORT, 1, 65535), UdpDataPath.device(backend));
    }
}
