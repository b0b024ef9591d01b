package io.weft.core.spi.backend;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import org.junit.jupiter.api.Test;

class LeaseRequestTest {

    @Test
    void theOverlayMtuIsTheExternalMtuLessTheOverhead() {
        assertEquals(1472, LeaseRequest.of("udp", 28).overlayMtu(new ExternalInterface("eth0", "198.18.0.2", 1500)));
        assertEquals(LeaseRequest.MIN_MTU,
                LeaseRequest.of("udp", 28).overlayMtu(new ExternalInterface("eth0", "198.18.0.2", 96)));
    }

    @Test
    void anMtuBelowTheMinimumNamesTheInterfaceTheBackendAndWhatItNeeds() {
        WeftException e = assertThrows(WeftException.class,
                () -> LeaseRequest.of("ipsec", 62).overlayMtu(new ExternalInterface("veth1", "198.18.0.2", 100)));
        assertEquals("external interface veth1 has MTU 100, too small for the ipsec backend: its overlay MTU would be"
                + " 38 (62 bytes of encapsulation), below the minimum 68; pick another interface with --iface",
                e.getMessage());
    }

    @Test
    void aNegativeOverheadIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> LeaseRequest.of("udp", -1));
    }
}
