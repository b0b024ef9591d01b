package io.weft.core.model;

import io.weft.core.Excerpt;
import io.weft.core.WeftException;

/** Conversions between dotted-quad IPv4 text and the int form used by {@link Ipv4Subnet}. Stateless. */
public final class Ipv4 {
    private Ipv4() {
    }

    /**
     * Parses a dotted-quad address such as {@code 10.5.34.0}.
     *
     * @param field the name of the field being parsed, used in the error message
     */
    public static int parse(String field, String text) {
        if (text == null) {
            throw new WeftException(field + " is missing: give an IPv4 address such as 10.5.0.0");
        }
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            throw notAnAddress(field, text);
        }
        int value = 0;
        for (String part : parts) {
            // ASCII digits only, and no leading zeros (Go's parser, and so flannel's, rejects them too).
            if (part.isEmpty() || part.length() > 3 || !part.chars().allMatch(c -> c >= '0' && c <= '9')
                    || (part.length() > 1 && part.charAt(0) == '0')) {
                throw notAnAddress(field, text);
            }
            int octet = Integer.parseInt(part);
            if (octet > 255) {
                throw notAnAddress(field, text);
            }
            value = (value << 8) | octet;
        }
        return value;
    }

    public static String format(int address) {
        return ((address >>> 24) & 0xff) + "." + ((address >>> 16) & 0xff) + "." + ((address >>> 8) & 0xff)
                + "." + (address & 0xff);
    }

    private static WeftException notAnAddress(String field, String text) {
        return new WeftException(field + " \"" + Excerpt.of(text)
                + "\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0");
    }
}
