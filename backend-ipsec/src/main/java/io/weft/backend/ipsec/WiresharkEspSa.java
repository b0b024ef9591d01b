package io.weft.backend.ipsec;

/**
 * Formats SAs as lines of Wireshark's {@code esp_sa} user access table, the file Wireshark keeps in its
 * profile and that {@code tshark -o "uat:esp_sa:<line>"} accepts: protocol, source, destination, SPI,
 * encryption algorithm, key, authentication algorithm and key, each a quoted string. For RFC 4106 AES-GCM
 * the key is the AES key followed by the 4-byte salt, in hex, and authentication is NULL (GCM's ICV is the
 * authentication). Stateless.
 */
final class WiresharkEspSa {
    static final String GCM_16 = "AES-GCM with 16 octet ICV [RFC4106]";

    private WiresharkEspSa() {
    }

    static String line(String source, String destination, SaKey key) {
        return quote("IPv4") + "," + quote(source) + "," + quote(destination) + "," + quote(Esp.spiHex(key.spi()))
                + "," + quote(GCM_16) + "," + quote("0x" + key.keyAndSaltHex()) + "," + quote("NULL") + ","
                + quote("");
    }

    private static String quote(String s) {
        return "\"" + s + "\"";
    }
}
