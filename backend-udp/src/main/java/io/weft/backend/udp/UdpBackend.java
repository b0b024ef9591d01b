package io.weft.backend.udp;

import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;

/**
 * The udp backend on one host: {@link #prepare} checks the settings and binds the socket through
 * {@link UdpDataPath}, {@link #start} brings up the plain data path. Made by {@link UdpBackendProvider}; used
 * once, from one thread.
 */
final class UdpBackend implements Backend {
    static final String TYPE = "udp";
    /** The outer IPv4 (20) and UDP (8) headers. */
    static final int OVERHEAD = 28;
    /** What every udp host asks for: no backend data, and an MTU 28 bytes below the external one. */
    static final LeaseRequest LEASE_REQUEST = LeaseRequest.of(TYPE, OVERHEAD);
    private final BackendContext context;
    private UdpDataPath<Void> dataPath;

    UdpBackend(BackendContext context) {
        this.context = context;
    }

    @Override
    public LeaseRequest prepare(NetworkConfig config) {
        if (dataPath != null) {
            throw new IllegalStateException("the udp backend was prepared already");
        }
        UdpSettings settings = UdpSettings.from(config.backend());
        dataPath = UdpDataPath.prepare(context, config, new UdpDataPath.Spec<>(TYPE, settings.port(),
                settings.device(), null, UdpDataPath.queues(config.backend()), UdpDataPath.offloads(config.backend())));
        return LEASE_REQUEST;
    }

    @Override
    public Network start(Lease lease, int mtu) {
        if (dataPath == null) {
            throw new IllegalStateException("start before prepare");
        }
        return dataPath.start(lease, mtu);
    }

    @Override
    public void close() {
        if (dataPath != null) {
            dataPath.close();
        }
    }
}
