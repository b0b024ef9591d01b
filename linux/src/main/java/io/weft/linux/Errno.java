package io.weft.linux;

import java.util.Map;

/**
 * The symbolic names of the errno values rtnetlink answers with, for one-line messages such as
 * {@code ENETUNREACH (errno 101, network is unreachable)}; with no libc call, so a message can be built
 * anywhere. Stateless.
 */
final class Errno {
    private static final Map<Integer, String[]> NAMES = Map.ofEntries(
            Map.entry(1, new String[] {"EPERM", "operation not permitted"}),
            Map.entry(2, new String[] {"ENOENT", "no such entry"}),
            Map.entry(3, new String[] {"ESRCH", "no such entry"}),
            Map.entry(12, new String[] {"ENOMEM", "out of memory"}),
            Map.entry(13, new String[] {"EACCES", "permission denied"}),
            Map.entry(16, new String[] {"EBUSY", "device or resource busy"}),
            Map.entry(17, new String[] {"EEXIST", "it exists already"}),
            Map.entry(19, new String[] {"ENODEV", "no such device"}),
            Map.entry(22, new String[] {"EINVAL", "invalid argument"}),
            Map.entry(34, new String[] {"ERANGE", "value out of range"}),
            Map.entry(71, new String[] {"EPROTO", "protocol error"}),
            Map.entry(93, new String[] {"EPROTONOSUPPORT", "protocol not supported"}),
            Map.entry(95, new String[] {"EOPNOTSUPP", "operation not supported"}),
            Map.entry(97, new String[] {"EAFNOSUPPORT", "address family not supported"}),
            Map.entry(99, new String[] {"EADDRNOTAVAIL", "address not available"}),
            Map.entry(101, new String[] {"ENETUNREACH", "network is unreachable"}),
            Map.entry(105, new String[] {"ENOBUFS", "no buffer space"}));

    private Errno() {
    }

    /** {@code NAME (errno N, text)}, or {@code errno N} for one not in the table. */
    static String name(int errno) {
        String[] n = NAMES.get(errno);
        return n == null ? "errno " + errno : n[0] + " (errno " + errno + ", " + n[1] + ")";
    }
}
