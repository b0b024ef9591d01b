package io.weft.backend.udp;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.Network;
import io.weft.linux.ClassicBpf;
import io.weft.linux.EventFd;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import io.weft.linux.UdpSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

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
    private static final Logger LOG = LoggerFactory.getLogger(UdpDataPath.class);
    /** The TUN device name when {@code Backend.Device} is not set. */
    public static final String DEFAULT_DEVICE = "weft0";
    /** The most forwarding pairs a host runs. */
    public static final int MAX_QUEUES = 16;
    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    /**
     * What the data path is built with. Immutable.
     *
     * @param backendType the {@code BackendType} peers must publish to be routed to ({@code udp} also accepts
     *                    an empty one, as flannel writes)
     * @param port        the UDP port every host listens on and sends to
     * @param device      the TUN device name
     * @param transform   the per-packet stage, or null for plain udp
     * @param queues      how many forwarding pairs (TUN queues and sockets), see {@link #queues}
     * @param offloads    whether to use the offloads this kernel has, see {@link #offloads}
     */
    public record Spec<S>(String backendType, int port, String device, PacketTransform<S> transform, int queues,
            boolean offloads) {
        public Spec {
            if (queues < 1 || queues > MAX_QUEUES) {
                throw new WeftException("Backend.Queues " + queues + " is out of range: it must be from 1 to "
                        + MAX_QUEUES);
            }
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
    private final List<UdpSocket> sockets;
    private volatile UdpNetwork network;
    private boolean closed;

    private UdpDataPath(Syscalls sys, NetworkConfig config, Spec<S> spec, List<UdpSocket> sockets) {
        this.sys = sys;
        this.config = config;
        this.spec = spec;
        this.sockets = List.copyOf(sockets);
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

    /**
     * {@code Backend.Queues}: how many forwarding pairs run, each a TUN queue, a socket on the port
     * ({@code SO_REUSEPORT}) and two threads; the kernel keeps each flow on one queue. Default: the number of
     * cores, at most 4.
     */
    public static int queues(BackendConfig backend) {
        int cores = Runtime.getRuntime().availableProcessors();
        return backend.intField("Queues", Math.max(1, Math.min(4, cores)), 1, MAX_QUEUES);
    }

    /**
     * {@code Backend.Offloads} (default true): use the TUN device's segmentation offloads and UDP GSO and GRO
     * where the kernel has them; false keeps one packet per read, datagram and write. The wire is the same
     * either way.
     */
    public static boolean offloads(BackendConfig backend) {
        return backend.booleanField("Offloads", true);
    }

    private static String checkDevice(String device) {
        if (!DEVICE_NAME.matcher(device).matches() || device.equals(".") || device.equals("..")) {
            throw new WeftException("Backend.Device \"" + device + "\" is not a usable device name: use 1 to 15"
                    + " letters, digits, '_', '.' or '-', such as " + DEFAULT_DEVICE);
        }
        return device;
    }

    /**
     * Binds the UDP sockets (one per queue) on the external interface's address; nothing else exists until
     * {@link #start}.
     */
    public static <S> UdpDataPath<S> prepare(BackendContext context, NetworkConfig config, Spec<S> spec) {
        int bindAddress = Ipv4.parse("external interface address", context.externalInterface().address());
        Syscalls sys = Syscalls.load();
        if (spec.queues() > 1) {
            // Sockets that all set SO_REUSEPORT share a port silently, so a second weft on this port would not
            // fail; a plain bind first says the port is taken, as with one queue.
            UdpSocket.open(sys, bindAddress, spec.port(), false).close();
        }
        List<UdpSocket> sockets = new ArrayList<>();
        try {
            for (int q = 0; q < spec.queues(); q++) {
                sockets.add(UdpSocket.open(sys, bindAddress, spec.port(), spec.queues() > 1));
            }
        } catch (RuntimeException e) {
            sockets.forEach(UdpSocket::close);
            throw e;
        }
        steer(spec, sockets.get(0));
        return new UdpDataPath<>(sys, config, spec, sockets);
    }

    /**
     * Gives several queues' reuseport group its program: the udp backend's inner-flow {@link FlowSteering}, or the
     * transform's own ({@link PacketTransform#steering}). Without one (or when the kernel refuses it) the kernel
     * hashes the outer addresses and ports, so each peer's datagrams still keep to one queue.
     */
    private static void steer(Spec<?> spec, UdpSocket socket) {
        if (spec.queues() < 2) {
            return;
        }
        if (spec.transform() == null) {
            if (socket.attachReusePortProgram(FlowSteering.program(spec.queues()))) {
                LOG.info("udp receive steering on: each inner flow arrives on its own queue's socket (queues={})",
                        spec.queues());
            }
            return;
        }
        ClassicBpf program = spec.transform().steering(spec.queues());
        if (program != null && socket.attachReusePortProgram(program)) {
            LOG.info("{} receive steering on: the transform's program picks each datagram's queue (queues={})",
                    spec.backendType(), spec.queues());
        }
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
            tun = TunDevice.open(sys, spec.device(), lease.subnet().base(), mtu, config.network(),
                    new TunDevice.Options(spec.queues(), spec.offloads()));
            network = new UdpNetwork(sys, tun, sockets, wakeUp, probe(tun), spec, lease, config.network(), mtu);
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

    /** What the device granted, and what the sockets do (GSO probed, GRO switched on, on every socket). */
    private Offloads probe(TunDevice tun) {
        if (!spec.offloads()) {
            return Offloads.NONE;
        }
        boolean gso = tun.vnetHdr() && sockets.get(0).supportsGso();
        boolean gro = true;
        for (UdpSocket s : sockets) {
            gro &= s.enableGro();
        }
        return new Offloads(tun.vnetHdr(), tun.offloads(), gso, gro);
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

    /** Closes the sockets unless a started network owns them. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (network == null) {
            sockets.forEach(UdpSocket::close);
        }
    }
}
