package io.weft.linux;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import jnr.ffi.Pointer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This host's TUN device, set up with ioctls only (no {@code ip} subprocess): opened non-blocking with
 * {@code IFF_TUN|IFF_NO_PI}, given the subnet's network address as a /32 (as flannel does), the MTU and
 * the up flag, and a route of the whole overlay Network through it. {@link #close()} deletes the route and
 * closes the descriptor, which deletes the (non-persistent) device. Opened by the udp backend's data path when it
 * starts and owned from then on by the network it starts; set-up and close are not thread-safe, {@link #fd()} may
 * be read and written from the forwarding threads.
 */
public final class TunDevice implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunDevice.class);
    public static final int IFNAMSIZ = 16;
    private static final long TUNSETIFF = 0x400454caL;
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCSIFADDR = 0x8916;
    private static final long SIOCSIFNETMASK = 0x891c;
    private static final long SIOCSIFMTU = 0x8922;
    private static final long SIOCADDRT = 0x890b;
    private static final long SIOCDELRT = 0x890c;
    private static final short IFF_TUN = 0x0001;
    private static final short IFF_NO_PI = 0x1000;
    private static final short IFF_MULTI_QUEUE = 0x0100;
    private static final short IFF_VNET_HDR = 0x4000;
    private static final long TUNSETOFFLOAD = 0x400454d0L;
    /** TUNSETOFFLOAD flags: the checksum and the segmentation kinds the device may hand weft unfinished. */
    public static final int TUN_F_CSUM = 0x01;
    public static final int TUN_F_TSO4 = 0x02;
    public static final int TUN_F_TSO6 = 0x04;
    public static final int TUN_F_USO4 = 0x20;
    public static final int TUN_F_USO6 = 0x40;
    /** The 10-byte {@code struct virtio_net_hdr} before every packet of a device opened with a vnet header. */
    public static final int VNET_HDR_SIZE = 10;
    private static final short IFF_UP = 0x1;
    private static final short IFF_RUNNING = 0x40;
    private static final short RTF_UP = 0x1;
    private static final int IFREQ_SIZE = 40;
    private static final int IFREQ_UNION = 16;
    // struct rtentry on LP64 Linux (checked against <net/route.h> with offsetof).
    private static final int RTENTRY_SIZE = 120;
    private static final int RT_DST = 8;
    private static final int RT_GENMASK = 40;
    private static final int RT_FLAGS = 56;
    private static final int RT_DEV = 88;

    /**
     * How to open the device. Immutable.
     *
     * @param queues   how many queues (descriptors): more than one opens it with {@code IFF_MULTI_QUEUE}, and the
     *                 kernel spreads flows over them
     * @param vnetHdr  open with {@code IFF_VNET_HDR} and ask for checksum and segmentation offloads
     *                 ({@code TUNSETOFFLOAD}): reads and writes then start with a {@link #VNET_HDR_SIZE}-byte header
     */
    public record Options(int queues, boolean vnetHdr) {
        public static final Options PLAIN = new Options(1, false);

        public Options {
            if (queues < 1) {
                throw new IllegalArgumentException("queues " + queues + " < 1");
            }
        }
    }

    private final Syscalls sys;
    private final int fd;
    private final int[] queueFds;
    private final int offloads;
    private final boolean vnetHdr;
    private final int control;
    private final String name;
    private final Ipv4Subnet route;
    private final Pointer nameMemory;
    private boolean routeAdded;
    private boolean closed;

    private TunDevice(Syscalls sys, int[] queueFds, boolean vnetHdr, int offloads, int control, String name,
            Ipv4Subnet route) {
        this.sys = sys;
        this.fd = queueFds[0];
        this.queueFds = queueFds.clone();
        this.vnetHdr = vnetHdr;
        this.offloads = offloads;
        this.control = control;
        this.name = name;
        this.route = route;
        this.nameMemory = sys.memory(IFNAMSIZ);
        nameMemory.putString(0, name, IFNAMSIZ, StandardCharsets.US_ASCII);
    }

    /**
     * Creates and configures the device; on any failure releases what it made and throws.
     *
     * @param requestedName the device name, e.g. {@code weft0}
     * @param address       the device address (this host's subnet's network address), set as a /32
     * @param mtu           the device MTU
     * @param network       the whole overlay Network, routed to the device
     */
    public static TunDevice open(Syscalls sys, String requestedName, int address, int mtu, Ipv4Subnet network) {
        return open(sys, requestedName, address, mtu, network, Options.PLAIN);
    }

    /**
     * As {@link #open(Syscalls, String, int, int, Ipv4Subnet)}, with {@code options.queues()} descriptors and,
     * if asked, a vnet header and the offloads this kernel grants ({@link #offloads()}; USO only where the
     * kernel has it, none where it refuses them all).
     */
    public static TunDevice open(Syscalls sys, String requestedName, int address, int mtu, Ipv4Subnet network,
            Options options) {
        // Until the TunDevice exists, this method owns the descriptors and closes them on failure; after that
        // the device owns them and only its close() releases them, so each is closed exactly once.
        int[] fds = new int[options.queues()];
        java.util.Arrays.fill(fds, -1);
        TunDevice tun;
        int control = -1;
        try {
            short flags = (short) (IFF_TUN | IFF_NO_PI | (options.vnetHdr() ? IFF_VNET_HDR : 0)
                    | (options.queues() > 1 ? IFF_MULTI_QUEUE : 0));
            String name = requestedName;
            for (int q = 0; q < fds.length; q++) {
                fds[q] = openQueue(sys);
                Pointer ifr = sys.memory(IFREQ_SIZE);
                ifr.putString(0, name, IFNAMSIZ, StandardCharsets.US_ASCII);
                ifr.putShort(IFREQ_UNION, flags);
                sys.ioctl(fds[q], TUNSETIFF, ifr, "TUNSETIFF for device " + name + (q == 0 ? "" : " queue " + q),
                        "another process may hold a device of that name, or one of another kind exists: remove it or"
                                + " set Backend.Device to a free name");
                name = ifr.getString(0, IFNAMSIZ, StandardCharsets.US_ASCII);
            }
            int offloads = options.vnetHdr() ? enableOffloads(sys, fds[0], name) : 0;
            control = sys.libc().socket(LibC.AF_INET, LibC.SOCK_DGRAM | LibC.SOCK_CLOEXEC, 0);
            if (control < 0) {
                throw sys.failure("socket(AF_INET) for device ioctls", sys.errno(), "check the IPv4 stack is enabled");
            }
            tun = new TunDevice(sys, fds, options.vnetHdr(), offloads, control, name, network);
        } catch (RuntimeException e) {
            if (control >= 0 && sys.close(control) != 0) {
                LOG.warn("closing device control socket failed after set-up error");
            }
            // Closing the descriptors also deletes the half-made device.
            for (int fd : fds) {
                int errno = fd < 0 ? 0 : sys.close(fd);
                if (errno != 0) {
                    LOG.warn("closing /dev/net/tun after set-up error failed: {}", sys.describe(errno));
                }
            }
            throw e;
        }
        try {
            tun.configure(address, mtu);
            return tun;
        } catch (RuntimeException e) {
            try {
                tun.close();
            } catch (RuntimeException closing) {
                e.addSuppressed(closing);
            }
            throw e;
        }
    }

    private static int openQueue(Syscalls sys) {
        int fd = sys.libc().open("/dev/net/tun", LibC.O_RDWR | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        if (fd < 0) {
            int errno = sys.errno();
            throw sys.failure("open /dev/net/tun", errno, errno == LibC.ENOENT
                    ? "load the tun module (modprobe tun) or give the container --device /dev/net/tun"
                    : Syscalls.fixFor(errno, "check that /dev/net/tun is a TUN character device"));
        }
        return fd;
    }

    /**
     * Asks for checksum, TSO and USO offloads, then without USO (kernels before 6.2 refuse it), then none: a
     * kernel that refuses them all still gives the vnet header, with nothing left unfinished in it.
     */
    private static int enableOffloads(Syscalls sys, int fd, String name) {
        int[] tries = {TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_USO4 | TUN_F_USO6,
            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6, TUN_F_CSUM};
        for (int flags : tries) {
            // TUNSETOFFLOAD takes the flags themselves as its argument, not a pointer to them.
            if (sys.libc().ioctl(fd, TUNSETOFFLOAD, Pointer.wrap(jnr.ffi.Runtime.getSystemRuntime(), flags)) == 0) {
                return flags;
            }
            LOG.debug("TUNSETOFFLOAD {} on {} refused: {}", Integer.toHexString(flags), name, sys.describe(sys.errno()));
        }
        return 0;
    }

    private void configure(int address, int mtu) {
        setAddress(address);
        Pointer ifr = ifreq();
        ifr.putInt(IFREQ_UNION, mtu);
        sys.ioctl(control, SIOCSIFMTU, ifr, "SIOCSIFMTU " + mtu + " on " + name,
                "the MTU must be at least 68 and at most the kernel's limit: check the external interface MTU");
        ifr = ifreq();
        sys.ioctl(control, SIOCGIFFLAGS, ifr, "SIOCGIFFLAGS on " + name, "check the device still exists");
        ifr.putShort(IFREQ_UNION, (short) (ifr.getShort(IFREQ_UNION) | IFF_UP | IFF_RUNNING));
        sys.ioctl(control, SIOCSIFFLAGS, ifr, "SIOCSIFFLAGS up on " + name, "check the device still exists");
        // ICMP errors written into the device come from the device's own address; without accept_local the
        // kernel drops them as martians (flannel's never arrive). IPv6 is off: the tunnel carries IPv4 only.
        writeSysctl("ipv4/conf/" + name + "/accept_local", "1");
        writeSysctl("ipv6/conf/" + name + "/disable_ipv6", "1");
        addRoute(false);
        LOG.info("device up name={} address={}/32 mtu={} route={} queues={} vnetHdr={} offloads=0x{}", name,
                Ipv4.format(address), mtu, route, queueFds.length, vnetHdr, Integer.toHexString(offloads));
    }

    /** Sets the device address as a /32 and (re)adds the Network route, which the kernel drops on a change. */
    public void setAddress(int address) {
        Pointer ifr = ifreq();
        Syscalls.putSockaddrIn(ifr, IFREQ_UNION, address, 0);
        sys.ioctl(control, SIOCSIFADDR, ifr, "SIOCSIFADDR " + Ipv4.format(address) + " on " + name,
                "check the device still exists");
        ifr = ifreq();
        Syscalls.putSockaddrIn(ifr, IFREQ_UNION, -1, 0);
        sys.ioctl(control, SIOCSIFNETMASK, ifr, "SIOCSIFNETMASK /32 on " + name, "check the device still exists");
        if (routeAdded) {
            addRoute(true);
        }
    }

    /** Adds the Network route; after an address change it may or may not still be there, so EEXIST is fine. */
    private void addRoute(boolean mayExist) {
        int result = sys.libc().ioctl(control, SIOCADDRT, rtentry());
        if (result < 0) {
            int errno = sys.errno();
            if (errno != LibC.EEXIST || !mayExist) {
                throw sys.failure("SIOCADDRT " + route + " dev " + name, errno, errno == LibC.EEXIST
                        ? "a route for " + route + " already exists (another overlay?): remove it with"
                                + " `ip route del " + route + "` or stop the other overlay"
                        : Syscalls.fixFor(errno, "check the device is up"));
            }
        }
        routeAdded = true;
    }

    private Pointer ifreq() {
        Pointer ifr = sys.memory(IFREQ_SIZE);
        ifr.putString(0, name, IFNAMSIZ, StandardCharsets.US_ASCII);
        return ifr;
    }

    private Pointer rtentry() {
        Pointer rt = sys.memory(RTENTRY_SIZE);
        Syscalls.putSockaddrIn(rt, RT_DST, route.base(), 0);
        Syscalls.putSockaddrIn(rt, RT_GENMASK, route.mask(), 0);
        rt.putShort(RT_FLAGS, RTF_UP);
        rt.putAddress(RT_DEV, nameMemory.address());
        return rt;
    }

    private void writeSysctl(String key, String value) {
        Path path = Path.of("/proc/sys/net", key);
        if (!Files.exists(path)) {
            LOG.debug("sysctl {} absent; skipped", path);
            return;
        }
        try {
            Files.writeString(path, value);
        } catch (IOException e) {
            LOG.warn("cannot set sysctl {}={} error=\"{}\": ICMP errors from weft may not reach local senders",
                    path, value, e.getMessage());
        }
    }

    /** Queue 0's descriptor. */
    public int fd() {
        return fd;
    }

    /** Queue {@code q}'s descriptor. */
    public int fd(int q) {
        return queueFds[q];
    }

    public int queues() {
        return queueFds.length;
    }

    /** Whether every read and write starts with a {@link #VNET_HDR_SIZE}-byte {@code virtio_net_hdr}. */
    public boolean vnetHdr() {
        return vnetHdr;
    }

    /** The {@code TUN_F_*} offloads the kernel granted; 0 without a vnet header. */
    public int offloads() {
        return offloads;
    }

    public String name() {
        return name;
    }

    /** Deletes the route and closes the device; reports failures in the log and goes on. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (routeAdded && sys.libc().ioctl(control, SIOCDELRT, rtentry()) < 0) {
            int errno = sys.errno();
            if (errno != LibC.ESRCH) {
                LOG.warn("deleting route {} dev {} failed: {}", route, name, sys.describe(errno));
            }
        }
        routeAdded = false;
        int errno = sys.close(control);
        if (errno != 0) {
            LOG.warn("closing control socket of {} failed: {}", name, sys.describe(errno));
        }
        int failed = 0;
        for (int q = queueFds.length - 1; q >= 0; q--) {
            errno = sys.close(queueFds[q]);
            failed = failed == 0 ? errno : failed;
        }
        if (failed != 0) {
            throw sys.failure("close device " + name, failed, "the device may linger: delete it with `ip link del "
                    + name + "`");
        }
        LOG.info("device removed name={} route={}", name, route);
    }
}
