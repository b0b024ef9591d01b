package io.weft.backend.hostgw;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.ExternalInterface;
import org.junit.jupiter.api.Test;

class HostGwBackendTest {
    @Test
    void aPublicIpOtherThanTheInterfacesIsRefusedBeforeAnythingIsTaken() {
        HostGwBackend backend = new HostGwBackend(new BackendContext(new ExternalInterface("eth0", "198.18.0.1", 1500),
                "203.0.113.9"));
        WeftException e = assertThrows(WeftException.class, () -> backend.prepare(NetworkConfigParser.parse(
                "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"host-gw\"}}")));
        assertEquals("the host-gw backend routes via each host's own address, but --public-ip 203.0.113.9 differs from"
                + " eth0's 198.18.0.1 (a NAT, which host-gw cannot route through): drop --public-ip, or use Backend.Type"
                + " vxlan", e.getMessage());
        backend.close();
    }
}
