package io.weft.core.model;

import io.weft.core.Excerpt;
import io.weft.core.WeftException;

/**
 * An IPv4 subnet: a base address with no host bits set and a prefix length. Immutable value type.
 * Besides CIDR text ({@code 10.5.34.0/24}) it reads and writes flannel's etcd key form
 * ({@code 10.5.34.0-24}).
 */
public record Ipv4Subnet(int base, int prefixLength) implements Comparable<Ipv4Subnet> {

    public Ipv4Subnet {
        if (prefixLength < 0 || prefixLength > 32) {
            throw new WeftException("prefix length " + prefixLength + " is out of range: it must be 0 to 32");
        }
        if ((base & ~mask(prefixLength)) != 0) {
            throw new WeftException("subnet " + Ipv4.format(base) + "/" + prefixLength
                    + " has host bits set: use " + Ipv4.format(base & mask(prefixLength)) + "/" + prefixLength);
        }
    }

    /** Parses CIDR text such as {@code 10.5.0.0/16}; host bits must be clear. */
    public static Ipv4Subnet parse(String text) {
        return parse("subnet", text);
    }

    /** Parses CIDR text, naming {@code field} in any error. */
    public static Ipv4Subnet parse(String field, String text) {
        return parseWith(field, text, '/');
    }

    /** Parses flannel's key form, such as {@code 10.5.34.0-24}. */
    public static Ipv4Subnet parseKey(String key) {
        return parseWith("subnet key", key, '-');
    }

    /** The subnet of length {@code prefixLength} that contains {@code address}. */
    public static Ipv4Subnet containing(int address, int prefixLength) {
        return new Ipv4Subnet(address & mask(prefixLength), prefixLength);
    }

    private static Ipv4Subnet parseWith(String field, String text, char separator) {
        if (text == null) {
            throw new WeftException(field + " is missing: give a subnet such as 10.5.0.0" + separator + "16");
        }
        int at = text.indexOf(separator);
        if (at < 0) {
            throw new WeftException(field + " \"" + Excerpt.of(text) + "\" has no prefix length: write it as 10.5.0.0"
                    + separator + "16");
        }
        int base = Ipv4.parse(field, text.substring(0, at));
        String len = text.substring(at + 1);
        if (len.isEmpty() || len.length() > 2 || !len.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new WeftException(field + " \"" + Excerpt.of(text)
                    + "\" has a bad prefix length: it must be a number from 0 to 32");
        }
        int prefix = Integer.parseInt(len);
        if (prefix > 32) {
            throw new WeftException(field + " \"" + Excerpt.of(text)
                    + "\" has a bad prefix length: it must be a number from 0 to 32");
        }
        if ((base & ~mask(prefix)) != 0) {
            throw new WeftException(field + " \"" + Excerpt.of(text) + "\" has host bits set: use "
                    + Ipv4.format(base & mask(prefix)) + separator + prefix);
        }
        return new Ipv4Subnet(base, prefix);
    }

    /** The netmask of a prefix length as an int, e.g. 0xffffff00 for 24. */
    public static int mask(int prefixLength) {
        return prefixLength == 0 ? 0 : -1 << (32 - prefixLength);
    }

    public int mask() {
        return mask(prefixLength);
    }

    /** The number of addresses in this subnet. */
    public long size() {
        return 1L << (32 - prefixLength);
    }

    /** The last address of this subnet (its broadcast address). */
    public int last() {
        return base | ~mask();
    }

    public boolean contains(int address) {
        return (address & mask()) == base;
    }

    /** True when {@code other} lies wholly inside this subnet. */
    public boolean contains(Ipv4Subnet other) {
        return other.prefixLength >= prefixLength && contains(other.base);
    }

    public boolean overlaps(Ipv4Subnet other) {
        return contains(other.base) || other.contains(base);
    }

    /** The subnet of the same length right after this one; fails at the end of the address space. */
    public Ipv4Subnet next() {
        long next = Integer.toUnsignedLong(base) + size();
        if (next > 0xffffffffL) {
            throw new WeftException("subnet " + this + " is the last of its size: there is no next one");
        }
        return new Ipv4Subnet((int) next, prefixLength);
    }

    /** flannel's etcd key form, e.g. {@code 10.5.34.0-24}. */
    public String toKey() {
        return Ipv4.format(base) + "-" + prefixLength;
    }

    @Override
    public String toString() {
        return Ipv4.format(base) + "/" + prefixLength;
    }

    @Override
    public int compareTo(Ipv4Subnet o) {
        int c = Integer.compareUnsigned(base, o.base);
        return c != 0 ? c : Integer.compare(prefixLength, o.prefixLength);
    }
}
