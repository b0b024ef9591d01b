package io.weft.backend.udp;

import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.Network;

/**
 * Registers the host for the udp backend: checks the settings and builds the plain data path through
 * {@link UdpDataPath} (socket first, so a taken port fails before a lease is taken). Made by {@link UdpBackendProvider}; one register per instance.
 */
final class UdpBackend implements Backend {
    static final String TYPE = "udp";
    private final BackendContext context;

    UdpBackend(BackendContext context) {
        this.context = context;
    }

    @Override
    public Network register(NetworkConfig config) {
        UdpSettings settings = UdpSettings.from(config.backend(), context.externalInterface());
        return UdpDataPath.register(context, config, new UdpDataPath.Spec(TYPE, LeaseAttrs.of(context.publicIp(),
                TYPE), settings.port(), settings.device(), settings.mtu(), null));
    }
}
