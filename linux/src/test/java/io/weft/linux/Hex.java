package io.weft.linux;

import java.nio.ByteOrder;
import java.util.HexFormat;
import org.junit.jupiter.api.Assumptions;

/** Test bytes written as hex with any whitespace, as strace prints them. Stateless. */
final class Hex {
    private Hex() {
    }

    static byte[] bytes(String hex) {
        return HexFormat.of().parseHex(hex.replaceAll("\\s+", ""));
    }

    static String of(byte[] bytes) {
        return HexFormat.ofDelimiter(" ").formatHex(bytes);
    }

    /** The literal messages were captured on x86-64; netlink headers are in host order. */
    static void assumeLittleEndian() {
        Assumptions.assumeTrue(ByteOrder.nativeOrder() == ByteOrder.LITTLE_ENDIAN, "literals are little-endian");
    }
}
