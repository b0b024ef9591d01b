package io.weft.core.daemon;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.spi.backend.ExternalInterface;
import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Picks the underlay interface as flanneld does: {@code --iface} by name or address, else the first whose
 * name or address matches an {@code --iface-regex}, else the interface of the default route (read from
 * {@code /proc/net/route}). Stateless.
 */
public final class ExternalInterfaceResolver {
    private final Path procNetRoute;

    public ExternalInterfaceResolver() {
        this(Path.of("/proc/net/route"));
    }

    ExternalInterfaceResolver(Path procNetRoute) {
        this.procNetRoute = procNetRoute;
    }

    public ExternalInterface resolve(List<String> ifaces, List<String> ifaceRegexes) {
        try {
            for (String want : ifaces) {
                Optional<ExternalInterface> found = byNameOrAddress(want);
                if (found.isPresent()) {
                    return found.get();
                }
            }
            if (!ifaces.isEmpty()) {
                for (String want : ifaces) {
                    NetworkInterface named = NetworkInterface.getByName(want);
                    if (named != null && !named.isUp()) {
                        throw new WeftException("iface " + want + " is down: bring it up (ip link set " + want
                                + " up) or name another interface");
                    }
                }
                throw new WeftException("iface " + String.join(",", ifaces)
                        + " matches no interface with an IPv4 address: name an interface or address from `ip addr`");
            }
            for (String regex : ifaceRegexes) {
                Pattern p = compile(regex);
                for (NetworkInterface ni : interfaces()) {
                    Optional<String> addr = ipv4Of(ni);
                    if (addr.isPresent() && (p.matcher(ni.getName()).matches() || p.matcher(addr.get()).matches())) {
                        return describe(ni, addr.get());
                    }
                }
            }
            if (!ifaceRegexes.isEmpty()) {
                throw new WeftException("iface-regex " + String.join(",", ifaceRegexes)
                        + " matches no interface with an IPv4 address: fix the pattern or use --iface");
            }
            String name = defaultRouteInterface().orElseThrow(() -> new WeftException(
                    "no default route to pick the external interface from: pass --iface NAME or --iface ADDRESS"));
            NetworkInterface ni = NetworkInterface.getByName(name);
            Optional<String> addr = ni == null ? Optional.empty() : ipv4Of(ni);
            if (addr.isEmpty()) {
                throw new WeftException("default-route interface " + name
                        + " has no IPv4 address: pass --iface NAME or --iface ADDRESS");
            }
            return describe(ni, addr.get());
        } catch (SocketException e) {
            throw new WeftException("cannot list network interfaces: " + e.getMessage(), e);
        }
    }

    private Optional<ExternalInterface> byNameOrAddress(String want) throws SocketException {
        for (NetworkInterface ni : interfaces()) {
            Optional<String> addr = ipv4Of(ni);
            if (addr.isEmpty()) {
                continue;
            }
            if (ni.getName().equals(want)) {
                return Optional.of(describe(ni, addr.get()));
            }
            for (InetAddress a : Collections.list(ni.getInetAddresses())) {
                if (a instanceof Inet4Address && a.getHostAddress().equals(want)) {
                    return Optional.of(describe(ni, want));
                }
            }
        }
        return Optional.empty();
    }

    private static Pattern compile(String regex) {
        try {
            return Pattern.compile(regex);
        } catch (PatternSyntaxException e) {
            throw new WeftException("iface-regex \"" + regex + "\" is not a valid pattern: " + e.getDescription());
        }
    }

    private Optional<String> defaultRouteInterface() {
        try {
            for (String line : Files.readAllLines(procNetRoute)) {
                String[] f = line.trim().split("\\s+");
                if (f.length > 7 && "00000000".equals(f[1]) && "00000000".equals(f[7])) {
                    return Optional.of(f[0]);
                }
            }
            return Optional.empty();
        } catch (IOException e) {
            throw new WeftException("cannot read " + procNetRoute + " to find the default route: " + e.getMessage()
                    + "; pass --iface NAME or --iface ADDRESS");
        }
    }

    private static List<NetworkInterface> interfaces() throws SocketException {
        List<NetworkInterface> out = new ArrayList<>();
        for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
            if (ni.isUp()) {
                out.add(ni);
            }
        }
        return out;
    }

    private static Optional<String> ipv4Of(NetworkInterface ni) {
        return Collections.list(ni.getInetAddresses()).stream()
                .filter(a -> a instanceof Inet4Address)
                .map(InetAddress::getHostAddress)
                .findFirst();
    }

    private static ExternalInterface describe(NetworkInterface ni, String address) throws SocketException {
        Ipv4.parse("interface address", address);
        return new ExternalInterface(ni.getName(), address, ni.getMTU());
    }
}
