package io.weft.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class Ipv4SubnetTest {

    @ParameterizedTest
    @CsvSource({
        "10.5.0.0/16, 10.5.0.0-16",
        "10.5.34.0/24, 10.5.34.0-24",
        "0.0.0.0/0, 0.0.0.0-0",
        "255.255.255.252/30, 255.255.255.252-30",
        "100.96.7.128/25, 100.96.7.128-25",
    })
    void parsesAndFormatsCidrAndKeyForms(String cidr, String key) {
        Ipv4Subnet s = Ipv4Subnet.parse(cidr);
        assertEquals(cidr, s.toString());
        assertEquals(key, s.toKey());
        assertEquals(s, Ipv4Subnet.parseKey(key));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "10.5.0.0        | subnet \"10.5.0.0\" has no prefix length: write it as 10.5.0.0/16",
        "10.5.0/16       | subnet \"10.5.0\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
        "10.5.0.256/16   | subnet \"10.5.0.256\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
        "10.5.0.0/33     | subnet \"10.5.0.0/33\" has a bad prefix length: it must be a number from 0 to 32",
        "10.5.0.0/x      | subnet \"10.5.0.0/x\" has a bad prefix length: it must be a number from 0 to 32",
        "10.5.1.0/16     | subnet \"10.5.1.0/16\" has host bits set: use 10.5.0.0/16",
        "a.b.c.d/8       | subnet \"a.b.c.d\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
        "010.5.0.0/16    | subnet \"010.5.0.0\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
        "10.\u0665.0.0/16  | subnet \"10.\u0665.0.0\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
    })
    void rejectsBadTextNamingTheValueAndTheFix(String text, String message) {
        WeftException e = assertThrows(WeftException.class, () -> Ipv4Subnet.parse(text));
        assertEquals(message, e.getMessage());
    }

    @Test
    void containsOverlapsAndNext() {
        Ipv4Subnet net = Ipv4Subnet.parse("10.5.0.0/16");
        Ipv4Subnet sub = Ipv4Subnet.parse("10.5.34.0/24");
        assertTrue(net.contains(sub));
        assertFalse(sub.contains(net));
        assertTrue(net.contains(Ipv4.parse("ip", "10.5.255.255")));
        assertFalse(net.contains(Ipv4.parse("ip", "10.6.0.0")));
        assertTrue(net.overlaps(sub) && sub.overlaps(net));
        assertFalse(sub.overlaps(Ipv4Subnet.parse("10.5.35.0/24")));
        assertEquals(Ipv4Subnet.parse("10.5.35.0/24"), sub.next());
        assertEquals(Ipv4Subnet.parse("10.6.0.0/24"), Ipv4Subnet.parse("10.5.255.0/24").next());
        assertEquals(256, sub.size());
        assertEquals(Ipv4.parse("ip", "10.5.34.255"), sub.last());
        WeftException e = assertThrows(WeftException.class, () -> Ipv4Subnet.parse("255.255.255.0/24").next());
        assertEquals("subnet 255.255.255.0/24 is the last of its size: there is no next one", e.getMessage());
    }

    @Test
    void ordersByAddressUnsigned() {
        assertTrue(Ipv4Subnet.parse("200.0.0.0/8").compareTo(Ipv4Subnet.parse("10.0.0.0/8")) > 0);
    }
}
