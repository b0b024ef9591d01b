package io.weft.backend.udp;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.Network;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import io.weft.linux.UdpSocket;
import java.util.Objects;

/**
 * The public way to build the udp data path (TUN device, UDP socket, route table, the two forwarding
 * threads) for another backend: it binds the socket, acquires the lease with the given attributes, opens
 * the TUN device and returns the running {@link Network}, releasing what it made on failure. Only peers
 * whose lease names {@link Spec#backendType()} are routed to. Stateless.
 */
public final class UdpDataPath {

    /**
     * What the data path is built with. Immutable.
     *
     * @param backendType the {@code BackendType} peers must publish to be routed to ({@code udp} also accepts
     *                    an empty one, as flannel writes)
     * @param leaseAttrs  the lease attributes this host publishes
     * @param port        the UDP port every host listens on and sends to
     * @param device      the TUN device name
     * @param mtu         the TUN device's MTU, already net of every byte of overhead
     * @param transform   the per-packet stage, or null for plain udp
     */
    public record Spec(String backendType, LeaseAttrs leaseAttrs, int port, String device, int mtu,
            PacketTransform transform) {
        public Spec {
            Objects.requireNonNull(backendType, "backendType is null");
            Objects.requireNonNull(leaseAttrs, "leaseAttrs is null");
            Objects.requireNonNull(device, "device is null");
            if (port < 1 || port > 65535) {
                throw new WeftException("Backend.Port " + port + " is out of range: use 1 to 65535");
            }
            if (mtu < UdpSettings.MIN_MTU) {
                throw new WeftException("overlay MTU " + mtu + " is below " + UdpSettings.MIN_MTU
                        + ": pick an interface with a larger MTU with --iface");
            }
            if (transform != null && (transform.headroom() < 0 || transform.headroom() > PacketTransform.MAX_HEADROOM
                    || transform.tailroom() < 0 || transform.tailroom() > PacketTransform.MAX_HEADROOM)) {
                throw new IllegalArgumentException("transform needs headroom " + transform.headroom() + " and tailroom "
                        + transform.tailroom() + "; at most " + PacketTransform.MAX_HEADROOM + " each");
            }
        }
    }

    private UdpDataPath() {
    }

    /** Builds and returns the data path; {@link Network#run()} starts its threads. */
    public static Network register(BackendContext context, NetworkConfig config, Spec spec) {
        UdpSettings settings = new UdpSettings(spec.port(), spec.device(), spec.mtu());
        int bindAddress = Ipv4.parse("external interface address", context.externalInterface().address());
        Syscalls sys = Syscalls.load();
        UdpSocket socket = UdpSocket.open(sys, bindAddress, spec.port());
        try {
            Lease lease = context.leases().acquire(spec.leaseAttrs());
            TunDevice tun = TunDevice.open(sys, spec.device(), lease.subnet().base(), spec.mtu(), config.network());
            return new UdpNetwork(sys, tun, socket, settings, lease,
                    config.network(), spec.backendType(), spec.transform());
        } catch (RuntimeException e) {
            socket.close();
            throw e;
        }
    }
}
