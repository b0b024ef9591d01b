package io.weft.backend.udp;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.Network;
import io.weft.linux.EventFd;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import io.weft.linux.UdpSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The public way to build the udp data path (TUN device, UDP socket, route table, the two forwarding
 * threads), for the udp backend and for another backend that adds a {@link PacketTransform}. It follows the
 * backend SPI's two steps: {@link #prepare} binds the socket (so a taken port fails before any lease is
 * taken), then {@link #start} opens the TUN device for the lease the daemon took and returns the running
 * {@link Network}, which owns everything from then on. {@link #close()} releases the socket if no network
 * took it. Only peers whose lease names {@link Spec#backendType()} are routed to. The backend calls prepare, start
 * and close from one thread; {@link #peerStates()} may be called from any.
 *
 * @param <S> the transform's per-peer state
 */
public final class UdpDataPath<S> implements AutoCloseable {
    /** The TUN device name when {@code Backend.Device} is not set. */
    public static final String DEFAULT_DEVICE = "weft0";
    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /**
     * What the data path is built with. Immutable.
     *
     * @param backendType the {@code BackendType} peers must publish to be routed to ({@code udp} also accepts
     *                    an empty one, as flannel writes)
     * @param port        the UDP port every host listens on and sends to
     * @param device      the TUN device name
     * @param transform   the per-packet stage, or null for plain udp
     */
    public record Spec<S>(String backendType, int port, String device, PacketTransform<S> transform) {
        public Spec {
            Objects.requireNonNull(backendType, "backendType is null");
            checkDevice(Objects.requireNonNull(device, "device is null"));
            if (port < 1 || port > 65535) {
                throw new WeftException("Backend.Port " + port + " is out of range: use 1 to 65535");
            }
            if (transform != null && (transform.headroom() < 0 || transform.headroom() > PacketTransform.MAX_HEADROOM
                    || transform.tailroom() < 0 || transform.tailroom() > PacketTransform.MAX_HEADROOM)) {
                throw new IllegalArgumentException("transform needs headroom " + transform.headroom() + " and tailroom "
                        + transform.tailroom() + "; at most " + PacketTransform.MAX_HEADROOM + " each");
            }
        }
    }

    private final Syscalls sys;
    private final NetworkConfig config;
    private final Spec<S> spec;
    private final UdpSocket socket;
    private volatile UdpNetwork network;
    private boolean closed;

    private UdpDataPath(Syscalls sys, NetworkConfig config, Spec<S> spec, UdpSocket socket) {
        this.sys = sys;
        this.config = config;
        this.spec = spec;
        this.socket = socket;
    }

    /**
     * {@code Backend.Device}, or {@link #DEFAULT_DEVICE}: the one device-name rule of every backend on this data
     * path.
     *
     * @throws WeftException naming {@code Backend.Device} when it is no usable device name
     */
    public static String device(BackendConfig backend) {
        return checkDevice(backend.textField("Device").orElse(DEFAULT_DEVICE));
    }

    private static String checkDevice(String device) {
        if (!DEVICE_NAME.matcher(device).matches() || device.equals(".") || device.equals("..")) {
            throw new WeftException("Backend.Device \"" + device + "\" is not a usable device name: use 1 to 15"
                    + " letters, digits, '_', '.' or '-', such as " + DEFAULT_DEVICE);
        }
        return device;
    }

    /** Binds the UDP socket on the external interface's address; nothing else exists until {@link #start}. */
    public static <S> UdpDataPath<S> prepare(BackendContext context, NetworkConfig config, Spec<S> spec) {
        int bindAddress = Ipv4.parse("external interface address", context.externalInterface().address());
        Syscalls sys = Syscalls.load();
        return new UdpDataPath<>(sys, config, spec, UdpSocket.open(sys, bindAddress, spec.port()));
    }

    /**
     * Opens the TUN device for {@code lease} with {@code mtu} and returns the network, which now owns the
     * socket and the device; {@link Network#run()} starts its threads. On failure releases what it opened
     * here; the socket stays for {@link #close()}.
     */
    public Network start(Lease lease, int mtu) {
        if (closed || network != null) {
            throw new IllegalStateException("the udp data path was " + (closed ? "closed" : "started") + " already");
        }
        EventFd wakeUp = EventFd.open(sys, "the forwarding threads' wake-up");
        TunDevice tun = null;
        try {
            tun = TunDevice.open(sys, spec.device(), lease.subnet().base(), mtu, config.network());
            network = new UdpNetwork(sys, tun, socket, wakeUp, spec, lease, config.network(), mtu);
            return network;
        } catch (RuntimeException e) {
            for (AutoCloseable opened : tun == null ? List.<AutoCloseable>of(wakeUp) : List.of(tun, wakeUp)) {
                try {
                    opened.close();
                } catch (Exception closing) {
                    e.addSuppressed(closing);
                }
            }
            throw e;
        }
    }

    /** The transform states of the peers routed to now, in table order (none before {@link #start}). */
    @SuppressWarnings("unchecked")
    public List<S> peerStates() {
        List<S> out = new ArrayList<>();
        if (network != null) {
            for (RouteTable.Peer p : network.routes().peers()) {
                if (p.state() != null) {
                    out.add((S) p.state());
                }
            }
        }
        return out;
    }

    /** Closes the socket unless a started network owns it. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (network == null) {
            socket.close();
        }
    }
}
