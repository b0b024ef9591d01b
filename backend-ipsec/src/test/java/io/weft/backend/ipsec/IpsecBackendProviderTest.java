package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.backend.ExternalInterface;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider is found by name next to udp's, takes the host's secrets from its context, and the data path's
 * room fits the udp batch headroom.
 */
class IpsecBackendProviderTest {
    @Test
    void serviceLoaderFindsIpsecNextToUdp() {
        Set<String> names = ServiceLoader.load(BackendProvider.class).stream().map(p -> p.get().name())
                .collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("ipsec", "udp")), names.toString());
    }

    /**
     * The host's PSK file and state directory reach the backend through the SPI's context, and are checked before
     * the backend binds a socket: these refusals happen in {@code prepare} with nothing bound.
     */
    @Test
    void theContextsPskFileAndStateDirectoryAreCheckedBeforeAnythingIsBound(@TempDir Path dir) throws Exception {
        ExternalInterface eth = new ExternalInterface("eth0", "198.18.0.2", 1500);
        NetworkConfig noPsk = NetworkConfigParser.parse("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":"
                + "\"ipsec\"}}");
        Path open = PskFileTest.write(dir.resolve("psk"), "file-psk-0123456789abcdef0123456789abcdef", "rw-r--r--");
        Backend backend = new IpsecBackendProvider().create(new BackendContext(eth, eth.address(),
                Optional.of(dir.resolve("state")), Optional.of(open)));
        WeftException e = assertThrows(WeftException.class, () -> backend.prepare(noPsk));
        assertEquals("ipsec PSK file " + open + " has mode 0644 (owner uid " + PrivateFiles.processUid() + "): it must"
                + " be 0600 or 0400, readable by its owner only; fix it with 'chmod 600 " + open + "'", e.getMessage());

        Backend without = new IpsecBackendProvider().create(new BackendContext(eth, eth.address(),
                Optional.of(dir.resolve("state"))));
        assertTrue(assertThrows(WeftException.class, () -> without.prepare(noPsk)).getMessage()
                .startsWith("Backend.PSK is missing and no --ipsec-psk-file was given"));

        Files.setPosixFilePermissions(open, PosixFilePermissions.fromString("rw-------"));
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        Backend inShared = new IpsecBackendProvider().create(new BackendContext(eth, eth.address(), Optional.of(shared),
                Optional.of(open)));
        assertTrue(assertThrows(WeftException.class, () -> inShared.prepare(noPsk)).getMessage()
                .startsWith("ipsec state directory " + shared + " has mode 0777"));
        assertTrue(!Files.exists(shared.resolve(KeyFile.FILE_NAME)));
    }

    @Test
    void espFitsTheUdpDataPathsRoomAndTheMtuIsExact() {
        assertTrue(EspPacketTransform.HEADROOM <= io.weft.backend.udp.PacketTransform.MAX_HEADROOM);
        assertEquals(16, EspPacketTransform.HEADROOM);
        assertEquals(21, EspPacketTransform.TAILROOM);
        // 1500 - 20 (outer IPv4) - 8 (UDP) - 16 (SPI, sequence, IV) - 2 (pad length, next header) - 16 (ICV).
        assertEquals(1438, Esp.innerMtu(1500));
        assertEquals(1500, Esp.outerMtuFor(1438));
    }
}
