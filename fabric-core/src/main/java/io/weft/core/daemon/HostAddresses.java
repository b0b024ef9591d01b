package io.weft.core.daemon;

import io.weft.core.config.NetworkConfigLimits;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.ExternalInterface;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The addresses of this host that a Network must not hold, or weft would route them into its own device:
 * the external interface's, the public IP, and each etcd endpoint's (a name is resolved once, here; one that
 * does not resolve is left to the store to report). {@link #check} applies them, with the range limits, to a
 * config before the daemon takes a lease. Immutable.
 */
final class HostAddresses {
    /** What each address is, as the error names it, by address. */
    private final Map<String, String> addresses;

    private HostAddresses(Map<String, String> addresses) {
        this.addresses = Map.copyOf(addresses);
    }

    static HostAddresses of(ExternalInterface iface, String publicIp, List<String> endpoints) {
        Map<String, String> named = new LinkedHashMap<>();
        named.put(iface.address(), "the address of " + iface.name() + " (--iface)");
        named.putIfAbsent(publicIp, "the public IP (--public-ip)");
        for (String endpoint : endpoints) {
            for (String address : resolve(endpoint)) {
                named.putIfAbsent(address, "the address of etcd endpoint " + endpoint + " (--etcd-endpoints)");
            }
        }
        return new HostAddresses(named);
    }

    private static List<String> resolve(String endpoint) {
        String host;
        try {
            host = new URI(endpoint.trim()).getHost();
        } catch (URISyntaxException e) {
            return List.of();
        }
        if (host == null) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try {
            for (InetAddress a : InetAddress.getAllByName(host)) {
                if (a instanceof Inet4Address) {
                    out.add(a.getHostAddress());
                }
            }
        } catch (UnknownHostException e) {
            return List.of();
        }
        return out;
    }

    /** Fails with one line when {@code config} is too wide, reserved, or holds one of these addresses. */
    void check(NetworkConfig config) {
        NetworkConfigLimits.checkRanges(config);
        addresses.forEach((address, what) -> NetworkConfigLimits.checkHostAddress(config, what, address));
    }
}
