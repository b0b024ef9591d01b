package io.weft.backend.udp;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.Network;

/**
 * Registers the host for the udp backend: checks the settings, binds the UDP socket (so a taken port
 * fails before a lease is taken), acquires the lease, then creates the TUN device for the leased subnet.
 * On failure it releases what it made. Made by {@link UdpBackendProvider}; one register per instance.
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
        int bindAddress = Ipv4.parse("external interface address", context.externalInterface().address());
        Syscalls sys = Syscalls.load();
        UdpSocket socket = UdpSocket.open(sys, bindAddress, settings.port());
        try {
            Lease lease = context.leases().acquire(LeaseAttrs.of(context.publicIp(), TYPE));
            TunDevice tun = TunDevice.open(sys, settings.device(), lease.subnet().base(), settings.mtu(),
                    config.network());
            return new UdpNetwork(sys, tun, socket, settings, lease, config.network());
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
