package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.spi.backend.BackendProvider;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The provider is found by name next to udp's, and the data path's room fits the udp batch headroom. */
class IpsecBackendProviderTest {
    @Test
    void serviceLoaderFindsIpsecNextToUdp() {
        Set<String> names = ServiceLoader.load(BackendProvider.class).stream().map(p -> p.get().name())
                .collect(Collectors.toSet());
        assertTrue(names.containsAll(Set.of("ipsec", "udp")), names.toString());
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
