package io.weft.core.plugin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import io.weft.core.spi.backend.BackendProvider;
import java.util.List;
import org.junit.jupiter.api.Test;

class PluginRegistryTest {

    @Test
    void findsTheBuiltInAllocBackendThroughServiceLoader() {
        PluginRegistry<BackendProvider> backends = PluginRegistry.load("backend", BackendProvider.class,
                BackendProvider::name, getClass().getClassLoader());
        assertEquals("alloc", backends.get("alloc").name());
    }

    @Test
    void unknownNameListsWhatExists() {
        PluginRegistry<String> r = PluginRegistry.of("backend", s -> s, List.of("udp", "ipsec"));
        WeftException e = assertThrows(WeftException.class, () -> r.get("vxlan"));
        assertEquals("backend \"vxlan\" not found; available: ipsec, udp", e.getMessage());
    }
}
