package io.weft.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import io.weft.core.spi.backend.ExternalInterface;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Interface selection as flanneld does it, on this machine's loopback interface (read, never changed). */
class ExternalInterfaceResolverTest {
    private static final String HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT\n";

    @TempDir
    Path dir;

    private ExternalInterfaceResolver withRoutes(String routes) throws IOException {
        return new ExternalInterfaceResolver(Files.writeString(dir.resolve("route"), HEADER + routes));
    }

    @Test
    void ifaceByNameOrAddressFirstMatchWins() throws IOException {
        ExternalInterfaceResolver r = withRoutes("");
        ExternalInterface byName = r.resolve(List.of("lo"), List.of());
        assertEquals("lo", byName.name());
        assertEquals("127.0.0.1", byName.address());
        assertEquals("lo", r.resolve(List.of("127.0.0.1"), List.of()).name());
        assertEquals("lo", r.resolve(List.of("no-such0", "lo"), List.of()).name());
    }

    @Test
    void ifaceRegexMatchesNamesOrAddresses() throws IOException {
        ExternalInterfaceResolver r = withRoutes("");
        assertEquals("lo", r.resolve(List.of(), List.of("^l.$")).name());
        assertEquals("lo", r.resolve(List.of(), List.of("^127\\..*")).name());
    }

    @Test
    void defaultIsTheInterfaceOfTheDefaultRoute() throws IOException {
        ExternalInterfaceResolver r = withRoutes("lo\t00000000\t0100007F\t0003\t0\t0\t0\t00000000\t0\t0\t0\n");
        assertEquals("lo", r.resolve(List.of(), List.of()).name());
    }

    @Test
    void failuresSayWhatToPass() throws IOException {
        ExternalInterfaceResolver r = withRoutes("lo\t0000007F\t00000000\t0001\t0\t0\t0\t000000FF\t0\t0\t0\n");
        assertEquals("iface no-such0 matches no interface with an IPv4 address: name an interface or address from `ip addr`",
                assertThrows(WeftException.class, () -> r.resolve(List.of("no-such0"), List.of())).getMessage());
        assertEquals("iface-regex ^zz$ matches no interface with an IPv4 address: fix the pattern or use --iface",
                assertThrows(WeftException.class, () -> r.resolve(List.of(), List.of("^zz$"))).getMessage());
        assertEquals("iface-regex \"([\" is not a valid pattern: Unclosed character class",
                assertThrows(WeftException.class, () -> r.resolve(List.of(), List.of("(["))).getMessage());
        assertEquals("no default route to pick the external interface from: pass --iface NAME or --iface ADDRESS",
                assertThrows(WeftException.class, () -> r.resolve(List.of(), List.of())).getMessage());
    }
}
