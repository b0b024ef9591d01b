package io.weft.linux;

import io.weft.core.WeftException;
import java.util.HexFormat;
import java.util.Locale;

/**
 * A 48-bit Ethernet address, printed as Go's {@code net.HardwareAddr} prints it (lower-case hex pairs joined by
 * colons, e.g. {@code 0e:2a:7f:00:10:01}), which is how flannel writes a VtepMAC. Immutable.
 *
 * @param value the six bytes as the low 48 bits, first byte highest
 */
public record MacAddress(long value) {
    public MacAddress {
        if ((value & ~0xffff_ffff_ffffL) != 0) {
            throw new IllegalArgumentException("MAC value " + Long.toHexString(value) + " has more than 48 bits");
        }
    }

    /** The address of six bytes; fails unless there are exactly six. */
    public static MacAddress of(byte[] bytes) {
        if (bytes.length != 6) {
            throw new IllegalArgumentException("a MAC address has 6 bytes, not " + bytes.length);
        }
        long v = 0;
        for (byte b : bytes) {
            v = (v << 8) | (b & 0xff);
        }
        return new MacAddress(v);
    }

    /**
     * Parses {@code xx:xx:xx:xx:xx:xx} (either case).
     *
     * @param field what the text is, for the error message, e.g. {@code BackendData.VtepMAC}
     */
    public static MacAddress parse(String field, String text) {
        if (text == null || !text.matches("(?i)[0-9a-f]{2}(:[0-9a-f]{2}){5}")) {
            throw new WeftException(field + " \"" + text + "\" is not a MAC address: write six hex pairs joined by"
                    + " colons, such as 0e:2a:7f:00:10:01");
        }
        return of(HexFormat.of().parseHex(text.replace(":", "").toLowerCase(Locale.ROOT)));
    }

    public byte[] bytes() {
        byte[] out = new byte[6];
        for (int i = 0; i < 6; i++) {
            out[i] = (byte) (value >>> (40 - 8 * i));
        }
        return out;
    }

    /** Whether the address is locally administered and unicast, as flannel's random VTEP addresses are. */
    public boolean isLocalUnicast() {
        int first = (int) (value >>> 40);
        return (first & 0x02) != 0 && (first & 0x01) == 0;
    }

    @Override
    public String toString() {
        return HexFormat.ofDelimiter(":").formatHex(bytes());
    }
}
