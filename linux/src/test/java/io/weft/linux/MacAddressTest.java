package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

class MacAddressTest {
    @ParameterizedTest
    @CsvSource({"0e:2a:7f:00:10:01,0e:2a:7f:00:10:01", "0E:2A:7F:00:10:01,0e:2a:7f:00:10:01",
        "ff:ff:ff:ff:ff:ff,ff:ff:ff:ff:ff:ff"})
    void printsAsGoPrintsAHardwareAddr(String text, String printed) {
        assertEquals(printed, MacAddress.parse("VtepMAC", text).toString());
    }

    @ParameterizedTest
    @CsvSource({"0e:2a:7f:00:10", "0e-2a-7f-00-10-01", "0e:2a:7f:00:10:0g", "''"})
    void rejectsOtherTextNamingTheField(String text) {
        WeftException e = assertThrows(WeftException.class, () -> MacAddress.parse("BackendData.VtepMAC", text));
        assertEquals("BackendData.VtepMAC \"" + text + "\" is not a MAC address: write six hex pairs joined by colons,"
                + " such as 0e:2a:7f:00:10:01", e.getMessage());
    }

    @Test
    void roundTripsBytesAndTellsLocalUnicast() {
        MacAddress m = MacAddress.of(new byte[] {0x0e, 1, 2, 3, 4, (byte) 0xff});
        assertEquals(m, MacAddress.of(m.bytes()));
        assertTrue(m.isLocalUnicast());
        assertFalse(MacAddress.parse("t", "01:00:5e:00:00:01").isLocalUnicast());
        assertFalse(MacAddress.parse("t", "00:16:3e:00:00:01").isLocalUnicast());
    }
}
