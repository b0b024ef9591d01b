package io.weft.backend.udp;

import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import java.util.Objects;

/**
 * The {@code udp} backend: IPv4 packets from a TUN device carried as raw UDP payloads between hosts,
 * byte-compatible with flannel's udp backend. Network config fields: {@code Backend.Port} (default 8285)
 * and {@code Backend.Device}, the TUN device name (default {@code weft0}). Stateless.
 */
public final class UdpBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return UdpBackend.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        return new UdpBackend(Objects.requireNonNull(context, "context is null"));
    }
}
