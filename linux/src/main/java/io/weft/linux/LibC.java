package io.weft.linux;

import jnr.ffi.Pointer;
import jnr.ffi.annotations.SaveError;
import jnr.ffi.annotations.Variadic;
import jnr.ffi.types.size_t;
import jnr.ffi.types.ssize_t;

/**
 * The libc calls weft makes (the data path's TUN device, UDP socket, poll and eventfd, sd_notify's unix
 * datagram, the rtnetlink socket, and {@code weft doctor}'s raw ICMP socket): the one jnr-ffi interface for native calls, reached through {@link Syscalls}. It is public
 * because jnr-ffi generates its implementation in another class loader.
 *
 * <p>Hot-path calls take buffer and address arguments as raw {@code long} addresses of direct memory
 * (see the udp backend's {@code PacketBatch}) so that a call allocates no {@code Pointer}; this assumes LP64
 * Linux, which {@link Syscalls#load()} checks. Every call saves errno; callers check every return value.
 *
 * <p>No call has six arguments: jnr-ffi 2.2.17's generated stub for a six-argument {@code recvfrom} crashed
 * the JVM (SIGSEGV in the stub) while the reflective invoker worked, so UDP uses {@code recvmmsg}/{@code
 * sendmmsg}, which batch anyway, and a unix datagram is {@code connect} then {@code send}, not {@code sendto}.
 */
public interface LibC {
    int AF_UNIX = 1;
    int AF_INET = 2;
    int SOCK_DGRAM = 2;
    int SOCK_CLOEXEC = 0x80000;
    int O_RDWR = 0x2;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_SNDBUF = 7;
    int SO_RCVBUF = 8;
    int SO_SNDTIMEO = 21;
    int SO_SNDBUFFORCE = 32;
    int SO_RCVBUFFORCE = 33;
    int SO_REUSEPORT = 15;
    /** setsockopt: a classic BPF program that picks the socket of a reuseport group for each datagram. */
    int SO_ATTACH_REUSEPORT_CBPF = 51;
    int SOL_UDP = 17;
    /** setsockopt/cmsg: the segment size of a UDP GSO send (u16). */
    int UDP_SEGMENT = 103;
    /** setsockopt: deliver UDP GRO trains; cmsg: their segment size (int). */
    int UDP_GRO = 104;
    int MSG_DONTWAIT = 0x40;
    short POLLIN = 0x1;
    int EFD_NONBLOCK = 0x800;
    int EFD_CLOEXEC = 0x80000;
    int EINTR = 4;
    int EBADF = 9;
    int EAGAIN = 11;
    int ENOMEM = 12;
    int EPERM = 1;
    int ENOENT = 2;
    int ESRCH = 3;
    int EACCES = 13;
    int EEXIST = 17;
    int EADDRINUSE = 98;
    int EADDRNOTAVAIL = 99;
    int EINVAL = 22;
    int ENOPROTOOPT = 92;
    int ENODEV = 19;
    int ENETUNREACH = 101;
    int AF_NETLINK = 16;
    int SOCK_RAW = 3;
    int SO_RCVTIMEO = 20;
    int MSG_TRUNC = 0x20;
    int IPPROTO_IP = 0;
    int IPPROTO_ICMP = 1;
    /** setsockopt at {@link #IPPROTO_IP}: path MTU discovery, i.e. whether the DF bit is set. */
    int IP_MTU_DISCOVER = 10;
    /** {@link #IP_MTU_DISCOVER}: set DF, check sizes against the device's MTU only, not a learnt path MTU. */
    int IP_PMTUDISC_PROBE = 3;
    int EMSGSIZE = 90;
    int ECONNREFUSED = 111;
    int MADV_DONTNEED = 4;

    @SaveError
    int open(String path, int flags);

    @SaveError
    int close(int fd);

    @SaveError
    @Variadic(fixedCount = 2)
    int ioctl(int fd, long request, Pointer arg);

    @SaveError
    int socket(int domain, int type, int protocol);

    @SaveError
    int bind(int fd, Pointer address, int addressLength);

    @SaveError
    int connect(int fd, Pointer address, int addressLength);

    @SaveError
    @ssize_t
    long send(int fd, Pointer buffer, @size_t long length, int flags);

    /** {@code recv(fd, buf, len, flags)}: a netlink answer, with {@code MSG_TRUNC} to learn its real length. */
    @SaveError
    @ssize_t
    long recv(int fd, long buffer, @size_t long length, int flags);

    @SaveError
    int eventfd(int initialValue, int flags);

    /** {@code madvise(addr, length, advice)}: with {@code MADV_DONTNEED}, whole pages given back to the kernel. */
    @SaveError
    int madvise(long address, @size_t long length, int advice);

    int getpagesize();

    @SaveError
    int setsockopt(int fd, int level, int name, Pointer value, int valueLength);

    @SaveError
    int getsockopt(int fd, int level, int name, Pointer value, Pointer valueLength);

    @SaveError
    int poll(long fds, long count, int timeoutMillis);

    @SaveError
    @ssize_t
    long read(int fd, long buffer, @size_t long count);

    @SaveError
    @ssize_t
    long write(int fd, long buffer, @size_t long count);

    /** {@code writev(fd, struct iovec *iov, iovcnt)}: one TUN write gathered from several slices. */
    @SaveError
    @ssize_t
    long writev(int fd, long iov, int count);

    /** {@code recvmmsg(fd, struct mmsghdr *vector, vlen, flags, NULL timeout)}; see the backend's PacketBatch. */
    @SaveError
    int recvmmsg(int fd, long vector, int length, int flags, long timeout);

    /** {@code sendmmsg(fd, struct mmsghdr *vector, vlen, flags)}; see the udp backend's {@code PacketBatch}. */
    @SaveError
    int sendmmsg(int fd, long vector, int length, int flags);

    String strerror(int errno);
}
