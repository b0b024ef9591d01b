package io.weft.core.config;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.NetworkConfig;
import java.util.List;

/**
 * The limits a valid config must still keep to be safe to run, beyond what {@link NetworkConfigParser}
 * checks: weft routes the whole Network into its device and lets it through the FORWARD chain, so a Network
 * that is too wide, or that holds special-purpose addresses (RFC 6890), or this host's own addresses, cuts
 * the host off; and a config with very many subnets is most likely a typo. Each check fails with one line
 * naming the field, the value and the fix. Stateless and thread-safe.
 *
 * <p>{@code weft config put} applies {@link #checkRanges} and {@link #checkSubnetCount}; the daemon applies
 * {@link #checkRanges} and {@link #checkHostAddress} before it takes a lease (and keeps waiting for a usable
 * config, as for an invalid one). The subnet count is not checked by the daemon, so a cluster whose config
 * was stored before this limit keeps working: the allocator's memory does not grow with it.
 */
public final class NetworkConfigLimits {
    /** The shortest Network prefix accepted: a /8 such as 10.0.0.0/8 is the widest private range. */
    public static final int MIN_NETWORK_PREFIX = 8;
    /** The most subnets a config stored by {@code weft config put} may have. */
    public static final long MAX_SUBNETS = 1L << 20;

    private record Reserved(Ipv4Subnet range, String name) {
    }

    /** The special-purpose ranges no Network may overlap (RFC 6890, RFC 1112, RFC 3927, RFC 919). */
    private static final List<Reserved> RESERVED = List.of(
            new Reserved(Ipv4Subnet.parse("0.0.0.0/8"), "\"this network\" range"),
            new Reserved(Ipv4Subnet.parse("127.0.0.0/8"), "loopback range"),
            new Reserved(Ipv4Subnet.parse("169.254.0.0/16"), "link-local range"),
            new Reserved(Ipv4Subnet.parse("224.0.0.0/4"), "multicast range"),
            new Reserved(Ipv4Subnet.parse("240.0.0.0/4"), "reserved range (with the broadcast address)"));
    private static final String CHOOSE = "choose a private range such as 10.0.0.0/8, 172.16.0.0/12 or 100.64.0.0/10";

    private NetworkConfigLimits() {
    }

    /** Refuses a Network wider than a /8, or overlapping a special-purpose range. */
    public static void checkRanges(NetworkConfig config) {
        Ipv4Subnet network = config.network();
        if (network.prefixLength() < MIN_NETWORK_PREFIX) {
            throw new WeftException("Network " + network + " is too wide: weft would route all of it into its"
                    + " device; give a prefix of /" + MIN_NETWORK_PREFIX + " or longer, and " + CHOOSE);
        }
        for (Reserved r : RESERVED) {
            if (network.overlaps(r.range())) {
                throw new WeftException("Network " + network + " overlaps the " + r.name() + " " + r.range()
                        + ", which weft cannot route through its device; " + CHOOSE);
            }
        }
    }

    /** Refuses more than {@link #MAX_SUBNETS} subnets between SubnetMin and SubnetMax. */
    public static void checkSubnetCount(NetworkConfig config) {
        long count = config.subnetCount();
        if (count > MAX_SUBNETS) {
            int widest = Math.min(NetworkConfigParser.MAX_SUBNET_LEN, config.network().prefixLength() + 20);
            throw new WeftException("SubnetLen " + config.subnetLen() + " gives Network " + config.network() + " "
                    + count + " subnets, more than the " + MAX_SUBNETS + " weft allows: use SubnetLen " + widest
                    + " or less, or narrow SubnetMin/SubnetMax");
        }
    }

    /**
     * Refuses a Network that holds one of this host's own addresses: packets to it would go into weft's
     * device instead of the host.
     *
     * @param what    what the address is, e.g. "the public IP (--public-ip)"
     * @param address an IPv4 address in dotted-quad form
     */
    public static void checkHostAddress(NetworkConfig config, String what, String address) {
        if (config.network().contains(Ipv4.parse(what, address))) {
            throw new WeftException("Network " + config.network() + " contains " + what + " " + address
                    + ": traffic to it would go into weft's device; choose a Network that does not hold the"
                    + " host's own or etcd's addresses");
        }
    }
}
