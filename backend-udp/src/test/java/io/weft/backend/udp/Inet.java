package io.weft.backend.udp;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Builds IPv4/TCP and IPv4/UDP test packets as byte arrays with checksums computed the slow, obvious way
 * (byte by byte, folding after every word), independent of {@link Checksums}, so tests can compare the
 * offload code against it.
 */
final class Inet {
    static final int FIN = 0x01;
    static final int SYN = 0x02;
    static final int RST = 0x04;
    static final int PSH = 0x08;
    static final int ACK = 0x10;
    static final int URG = 0x20;
    static final int ECE = 0x40;
    static final int CWR = 0x80;

    private Inet() {
    }

    /** RFC 1071 the naive way: 16-bit big-endian words, an odd byte padded, end-around carry each step. */
    static int naiveChecksum(byte[] data, int from, int to) {
        int sum = 0;
        for (int i = from; i < to; i += 2) {
            int word = (data[i] & 0xff) << 8 | (i + 1 < to ? data[i + 1] & 0xff : 0);
            sum += word;
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }

    static int naiveChecksum(byte[] data) {
        return naiveChecksum(data, 0, data.length);
    }

    /** The pseudo-header of the IPv4 packet {@code p} followed by its L4 bytes, as one array. */
    static byte[] pseudoAndL4(byte[] p) {
        int ihl = (p[0] & 0x0f) * 4;
        int total = u16(p, 2);
        byte[] out = new byte[12 + total - ihl];
        System.arraycopy(p, 12, out, 0, 8);
        out[9] = p[9];
        out[10] = (byte) ((total - ihl) >>> 8);
        out[11] = (byte) (total - ihl);
        System.arraycopy(p, ihl, out, 12, total - ihl);
        return out;
    }

    /** True when the IPv4 header checksum of {@code p} verifies. */
    static boolean ipValid(byte[] p) {
        return naiveChecksum(p, 0, (p[0] & 0x0f) * 4) == 0;
    }

    /** True when the TCP or UDP checksum of {@code p} verifies (a UDP checksum may not be 0 here). */
    static boolean l4Valid(byte[] p) {
        if (p[9] == 17 && u16(p, (p[0] & 0x0f) * 4 + 6) == 0) {
            return false;
        }
        return naiveChecksum(pseudoAndL4(p)) == 0;
    }

    /** The folded, not complemented, pseudo-header sum of {@code p}: what a CHECKSUM_PARTIAL field holds. */
    static int partial(byte[] p) {
        byte[] pseudo = Arrays.copyOf(pseudoAndL4(p), 12);
        return ~naiveChecksum(pseudo) & 0xffff;
    }

    static int u16(byte[] p, int at) {
        return (p[at] & 0xff) << 8 | (p[at + 1] & 0xff);
    }

    static long u32(byte[] p, int at) {
        return (long) u16(p, at) << 16 | u16(p, at + 2);
    }

    static void put16(byte[] p, int at, int v) {
        p[at] = (byte) (v >>> 8);
        p[at + 1] = (byte) v;
    }

    static void put32(byte[] p, int at, long v) {
        put16(p, at, (int) (v >>> 16));
        put16(p, at + 2, (int) v);
    }

    static byte[] pattern(int length, int seed) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = (byte) (i * 31 + seed * 7 + (i >>> 8));
        }
        return out;
    }

    static byte[] bytes(ByteBuffer b, int off, int len) {
        byte[] out = new byte[len];
        b.get(off, out);
        return out;
    }

    static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    /** The IPv4 fields shared by both builders; mutable for tests, copy with {@code copy()}. */
    abstract static class Ip {
        String source = "100.96.1.5";
        String destination = "100.96.2.7";
        int id = 0x1234;
        int tos = 0;
        int ttl = 64;
        boolean df = true;
        int fragment = 0; // flags (MF = 0x2000) and offset bits other than DF
        byte[] ipOptions = new byte[0];
        byte[] payload = new byte[0];

        abstract int protocol();

        abstract byte[] l4Header(int l4Length);

        abstract int checksumOffset();

        /** The packet with a full, valid L4 checksum. */
        byte[] build() {
            byte[] p = raw();
            int at = 20 + ipOptions.length + checksumOffset();
            int c = naiveChecksum(pseudoAndL4(p));
            put16(p, at, c == 0 && protocol() == 17 ? 0xffff : c);
            return p;
        }

        /** The packet as the kernel hands it over with NEEDS_CSUM: the L4 checksum field holds the pseudo sum. */
        byte[] buildPartial() {
            byte[] p = raw();
            put16(p, 20 + ipOptions.length + checksumOffset(), partial(p));
            return p;
        }

        private byte[] raw() {
            int ihl = 20 + ipOptions.length;
            byte[] l4 = l4Header(0);
            int total = ihl + l4.length + payload.length;
            l4 = l4Header(l4.length + payload.length);
            byte[] p = new byte[total];
            p[0] = (byte) (0x40 | ihl / 4);
            p[1] = (byte) tos;
            put16(p, 2, total);
            put16(p, 4, id & 0xffff);
            put16(p, 6, (df ? 0x4000 : 0) | fragment);
            p[8] = (byte) ttl;
            p[9] = (byte) protocol();
            put32(p, 12, Packets.ip(source) & 0xffffffffL);
            put32(p, 16, Packets.ip(destination) & 0xffffffffL);
            System.arraycopy(ipOptions, 0, p, 20, ipOptions.length);
            put16(p, 10, naiveChecksum(p, 0, ihl));
            System.arraycopy(l4, 0, p, ihl, l4.length);
            System.arraycopy(payload, 0, p, ihl + l4.length, payload.length);
            return p;
        }
    }

    static final class Tcp extends Ip {
        int sourcePort = 40000;
        int destinationPort = 5201;
        long seq = 1_000_000;
        long ack = 77_000;
        int flags = ACK;
        int window = 502;
        byte[] options = new byte[0];

        @Override
        int protocol() {
            return 6;
        }

        @Override
        int checksumOffset() {
            return 16;
        }

        @Override
        byte[] l4Header(int l4Length) {
            byte[] h = new byte[20 + options.length];
            put16(h, 0, sourcePort);
            put16(h, 2, destinationPort);
            put32(h, 4, seq & 0xffffffffL);
            put32(h, 8, ack & 0xffffffffL);
            h[12] = (byte) (h.length / 4 << 4);
            h[13] = (byte) flags;
            put16(h, 14, window);
            System.arraycopy(options, 0, h, 20, options.length);
            return h;
        }

        Tcp copy() {
            Tcp t = new Tcp();
            t.source = source;
            t.destination = destination;
            t.id = id;
            t.tos = tos;
            t.ttl = ttl;
            t.df = df;
            t.fragment = fragment;
            t.ipOptions = ipOptions;
            t.payload = payload;
            t.sourcePort = sourcePort;
            t.destinationPort = destinationPort;
            t.seq = seq;
            t.ack = ack;
            t.flags = flags;
            t.window = window;
            t.options = options;
            return t;
        }
    }

    static final class Udp extends Ip {
        int sourcePort = 40000;
        int destinationPort = 4789;

        @Override
        int protocol() {
            return 17;
        }

        @Override
        int checksumOffset() {
            return 6;
        }

        @Override
        byte[] l4Header(int l4Length) {
            byte[] h = new byte[8];
            put16(h, 0, sourcePort);
            put16(h, 2, destinationPort);
            put16(h, 4, l4Length);
            return h;
        }

        Udp copy() {
            Udp u = new Udp();
            u.source = source;
            u.destination = destination;
            u.id = id;
            u.tos = tos;
            u.ttl = ttl;
            u.df = df;
            u.ipOptions = ipOptions;
            u.payload = payload;
            u.sourcePort = sourcePort;
            u.destinationPort = destinationPort;
            return u;
        }
    }

    /** TCP options as Linux sends them on a data segment: NOP, NOP, timestamps. */
    static byte[] timestamps(int value, int echo) {
        byte[] o = {1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0};
        put32(o, 4, value & 0xffffffffL);
        put32(o, 8, echo & 0xffffffffL);
        return o;
    }
}
