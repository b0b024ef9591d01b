package io.weft.linux;

import io.weft.core.model.Ipv4;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ThreadLocalRandom;
import jnr.ffi.Pointer;

/**
 * ICMP echo to one IPv4 address with the DF bit set, for {@code weft doctor}'s reachability and path-MTU probes: a
 * raw ICMP socket connected to the address (so it sees only that address's ICMP) with {@code IP_PMTUDISC_PROBE}
 * (DF set, sizes checked against the device's MTU only, not a path MTU the kernel learnt earlier, so a probe tests
 * the path as it is now), as {@code ping -M probe -s SIZE} sends. Needs root or {@code CAP_NET_RAW}. One owner
 * thread; closing it frees the socket.
 */
public final class IcmpEcho implements AutoCloseable {
    private static final int IP_HEADER = 20;
    private static final int ICMP_HEADER = 8;
    /** The smallest probe: an IPv4 and an ICMP header. */
    public static final int MIN_SIZE = IP_HEADER + ICMP_HEADER;
    /** The size of a reachability probe: ping's default 84 bytes. */
    public static final int SMALL = 84;
    private static final int RECEIVE_SLICE_MILLIS = 50;

    private final Syscalls sys;
    private final int fd;
    private final String destination;
    private final short identifier = (short) ThreadLocalRandom.current().nextInt();
    private final ByteBuffer reply = ByteBuffer.allocateDirect(65536);
    private int nextSequence = ThreadLocalRandom.current().nextInt(1 << 15);
    private boolean closed;

    private IcmpEcho(Syscalls sys, int fd, String destination) {
        this.sys = sys;
        this.fd = fd;
        this.destination = destination;
    }

    /**
     * Opens the socket toward {@code address}.
     *
     * @throws io.weft.core.WeftException when the socket cannot be made (e.g. without root), naming the fix
     */
    public static IcmpEcho open(Syscalls sys, int address) {
        LibC libc = sys.libc();
        String description = "raw ICMP socket to " + Ipv4.format(address);
        int fd = libc.socket(LibC.AF_INET, LibC.SOCK_RAW | LibC.SOCK_CLOEXEC, LibC.IPPROTO_ICMP);
        if (fd < 0) {
            int errno = sys.errno();
            throw sys.failure("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", errno,
                    errno == LibC.EPERM || errno == LibC.EACCES ? "run weft doctor as root or with CAP_NET_RAW"
                            : "check the IPv4 stack is enabled");
        }
        IcmpEcho echo = new IcmpEcho(sys, fd, description);
        try {
            Pointer value = sys.memory(4);
            value.putInt(0, LibC.IP_PMTUDISC_PROBE);
            echo.setOption(LibC.IPPROTO_IP, LibC.IP_MTU_DISCOVER, value, 4, "IP_MTU_DISCOVER");
            Pointer timeval = sys.memory(16);
            timeval.putLong(0, 0);
            timeval.putLong(8, RECEIVE_SLICE_MILLIS * 1000L);
            echo.setOption(LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, 16, "SO_RCVTIMEO");
            Pointer name = sys.memory(16);
            Syscalls.putSockaddrIn(name, 0, address, 0);
            if (libc.connect(fd, name, 16) < 0) {
                int errno = sys.errno();
                throw sys.failure("connect " + description, errno, errno == LibC.ENETUNREACH
                        ? "this host has no route to it" : "check the address is IPv4 unicast");
            }
        } catch (RuntimeException e) {
            echo.close();
            throw e;
        }
        return echo;
    }

    private void setOption(int level, int option, Pointer value, int length, String what) {
        if (sys.libc().setsockopt(fd, level, option, value, length) < 0) {
            throw sys.failure("setsockopt " + what + " on " + destination, sys.errno(), "check the kernel supports it");
        }
    }

    /**
     * Sends one echo request of each size (the whole IPv4 packet, header included, at least {@link #MIN_SIZE}) with
     * DF set, and waits up to {@code wait} for their replies (a size given twice is sent twice, against loss). A size
     * larger than the outgoing device's MTU, or one the kernel will not send (no route), gets none.
     *
     * @return the sizes that were answered
     */
    public Set<Integer> probe(List<Integer> sizes, Duration wait) {
        int first = nextSequence;
        nextSequence = (nextSequence + sizes.size()) & 0xffff;
        for (int i = 0; i < sizes.size(); i++) {
            send((first + i) & 0xffff, Math.max(MIN_SIZE, sizes.get(i)));
        }
        Set<Integer> answered = new TreeSet<>();
        int distinct = new TreeSet<>(sizes).size();
        long deadline = System.nanoTime() + wait.toNanos();
        while (answered.size() < distinct && System.nanoTime() - deadline < 0) {
            int sequence = receive();
            int index = (sequence - first) & 0xffff;
            if (sequence >= 0 && index < sizes.size()) {
                answered.add(sizes.get(index));
            }
        }
        return answered;
    }

    /** Whether one of three small echoes ({@link #SMALL} bytes, as ping sends) is answered within {@code wait}. */
    public boolean reachable(Duration wait) {
        return !probe(List.of(SMALL, SMALL, SMALL), wait).isEmpty();
    }

    private void send(int sequence, int size) {
        int length = size - IP_HEADER;
        Pointer packet = sys.memory(length);
        packet.putByte(0, (byte) 8); // echo request, code 0
        packet.putByte(4, (byte) (identifier >>> 8));
        packet.putByte(5, (byte) identifier);
        packet.putByte(6, (byte) (sequence >>> 8));
        packet.putByte(7, (byte) sequence);
        for (int i = ICMP_HEADER; i < length; i++) {
            packet.putByte(i, (byte) i);
        }
        int sum = checksum(packet, length);
        packet.putByte(2, (byte) (sum >>> 8));
        packet.putByte(3, (byte) sum);
        // EMSGSIZE (larger than the device), EHOSTUNREACH and the like: the probe simply gets no answer.
        sys.libc().send(fd, packet, length, 0);
    }

    /** The sequence number of the next echo reply to this socket's requests, or -1 when none came in a slice. */
    private int receive() {
        long n = sys.libc().recv(fd, Syscalls.address(reply), reply.capacity(), 0);
        if (n < IP_HEADER + ICMP_HEADER) {
            return -1;
        }
        int ihl = (reply.get(0) & 0x0f) * 4;
        if (n < ihl + ICMP_HEADER || reply.get(ihl) != 0 || reply.getShort(ihl + 4) != identifier) {
            return -1; // not an echo reply to us (the raw socket sees all ICMP from the address)
        }
        return reply.getShort(ihl + 6) & 0xffff;
    }

    /** The Internet checksum (RFC 1071) of the first {@code length} bytes. */
    static int checksum(Pointer p, int length) {
        long sum = 0;
        for (int i = 0; i + 1 < length; i += 2) {
            sum += ((p.getByte(i) & 0xff) << 8) | (p.getByte(i + 1) & 0xff);
        }
        if ((length & 1) == 1) {
            sum += (p.getByte(length - 1) & 0xff) << 8;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            sys.close(fd);
        }
    }
}
