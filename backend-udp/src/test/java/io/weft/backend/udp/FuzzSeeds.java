package io.weft.backend.udp;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Writes the checked-in seed corpus of this module's fuzz targets: valid packets and the edge cases the unit
 * tests name, in each target's input layout, into {@code src/test/resources/io/weft/backend/udp/<Test>Inputs/
 * <method>/}, where Jazzer's regression mode (every normal test run) replays them. Run it after changing a
 * layout: {@code mvn -pl backend-udp test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.weft.backend.udp.FuzzSeeds}. Findings that scripts/fuzz saved stay next to these files.
 */
public final class FuzzSeeds {
    private final Path root;

    private FuzzSeeds(Path root) {
        this.root = root;
    }

    public static void main(String[] args) throws IOException {
        FuzzSeeds s = new FuzzSeeds(Path.of(args.length > 0 ? args[0] : "src/test/resources"));
        s.forwarding();
        s.icmp();
        s.segmenter();
        s.coalescer();
    }

    private void write(Class<?> test, String method, String name, byte[]... parts) throws IOException {
        Path dir = root.resolve(test.getPackageName().replace('.', '/')).resolve(test.getSimpleName() + "Inputs")
                .resolve(method);
        Files.createDirectories(dir);
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] part : parts) {
            out.writeBytes(part);
        }
        Files.write(dir.resolve(name), out.toByteArray());
    }

    private static byte[] b(int... values) {
        byte[] out = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (byte) values[i];
        }
        return out;
    }

    private static byte[] u16(int v) {
        return b(v >>> 8, v);
    }

    private static byte[] array(ByteBuffer b) {
        return Arrays.copyOf(b.array(), b.capacity());
    }

    private static byte[] echo(String source, String destination, int ttl) {
        ByteBuffer p = Packets.ipv4(source, destination, ttl, 1, 84);
        p.put(20, (byte) 8);
        return array(p);
    }

    private static byte[] tcp(String source, String destination, int payload) {
        Inet.Tcp t = new Inet.Tcp();
        t.source = source;
        t.destination = destination;
        t.options = Inet.timestamps(1000, 2000);
        t.payload = Inet.pattern(payload, 3);
        return t.build();
    }

    private void forwarding() throws IOException {
        Class<?> c = ForwardingFuzzTest.class;
        write(c, "outbound", "echo-to-peer", b(1, 7), echo("100.96.1.5", "100.96.2.9", 64));
        write(c, "outbound", "tcp-to-nested-25", b(2, 1), tcp("100.96.1.5", "100.96.5.200", 1400));
        write(c, "outbound", "to-host-route-32", b(2, 2), tcp("100.96.1.5", "100.96.6.7", 10));
        write(c, "outbound", "to-repeated-subnet", b(2, 3), echo("100.96.1.5", "100.96.9.1", 64));
        write(c, "outbound", "unleased-in-network", b(1, 4), echo("100.96.1.5", "100.96.99.9", 64));
        write(c, "outbound", "outside-network", b(1, 5), echo("100.96.1.5", "8.8.8.8", 64));
        write(c, "outbound", "default-route", b(2, 5), echo("100.96.1.5", "8.8.8.8", 64));
        write(c, "outbound", "ttl-1", b(1, 6), echo("100.96.1.5", "100.96.2.9", 1));
        write(c, "outbound", "ttl-2", b(1, 6), echo("100.96.1.5", "100.96.2.9", 2));
        write(c, "outbound", "ipv6", b(1, 8), b(0x60, 0, 0, 0, 0, 8, 17, 64), new byte[32]);
        write(c, "outbound", "19-bytes", b(1, 9), Arrays.copyOf(echo("100.96.1.5", "100.96.2.9", 64), 19));
        write(c, "outbound", "no-peers", b(0, 10), echo("100.96.1.5", "100.96.2.9", 64));

        write(c, "inbound", "valid", b(1, 1, 3), echo("100.96.2.9", "100.96.1.5", 63));
        write(c, "inbound", "tcp-from-nested-peer", b(2, 3, 5), tcp("100.96.5.130", "100.96.1.9", 1400));
        byte[] trailing = Arrays.copyOf(echo("100.96.2.9", "100.96.1.5", 63), 100);
        write(c, "inbound", "trailing-bytes", b(1, 2, 7), trailing);
        write(c, "inbound", "stranger", b(1, 0, 9), echo("100.96.2.9", "100.96.1.5", 63));
        write(c, "inbound", "to-a-peer-subnet", b(1, 1, 11), echo("100.96.2.9", "100.96.3.5", 63));
        byte[] ihl = echo("100.96.2.9", "100.96.1.5", 63);
        ihl[0] = 0x44;
        write(c, "inbound", "ihl-4", b(1, 1, 13), ihl);
        byte[] options = echo("100.96.2.9", "100.96.1.5", 63);
        options[0] = 0x4f;
        write(c, "inbound", "ihl-15", b(1, 1, 15), options);
        byte[] total = echo("100.96.2.9", "100.96.1.5", 63);
        total[2] = (byte) 0xff;
        write(c, "inbound", "total-beyond", b(1, 1, 17), total);
        write(c, "inbound", "short", b(1, 1, 19), Arrays.copyOf(total, 12));
        write(c, "inbound", "wrong-port", b(1, 0x81, 21), echo("100.96.2.9", "100.96.1.5", 63));
        write(c, "inbound", "spoofed-own-address", b(1, 1, 23), echo("100.96.1.9", "100.96.1.5", 63));
        write(c, "inbound", "spoofed-third-host", b(1, 1, 25), echo("100.96.3.9", "100.96.1.5", 63));
        write(c, "inbound", "spoofed-outside-network", b(1, 1, 27), echo("8.8.8.8", "100.96.1.5", 63));
        write(c, "inbound", "second-subnet-of-a-host", b(2, 1, 29), echo("100.96.10.9", "100.96.1.5", 63));
        write(c, "inbound", "repeated-subnet-other-host", b(2, 6, 31), echo("100.96.9.9", "100.96.1.5", 63));

        write(c, "ipv4Packet", "echo", b(1), echo("100.96.1.5", "100.96.2.9", 64));
        write(c, "ipv4Packet", "tcp", b(33), tcp("100.96.1.5", "100.96.2.9", 100));
        Inet.Udp options20 = new Inet.Udp();
        options20.ipOptions = new byte[] {1, 1, 1, 0};
        options20.payload = Inet.pattern(31, 1);
        write(c, "ipv4Packet", "ip-options-odd-length", b(5), options20.build());
        write(c, "ipv4Packet", "multicast", b(2), echo("100.96.1.5", "224.0.0.5", 1));
    }

    private void icmp() throws IOException {
        Class<?> c = IcmpErrorsFuzzTest.class;
        write(c, "build", "net-unreachable-echo", b(3, 0, 0), u16(0), echo("100.96.1.5", "100.96.99.9", 64));
        Inet.Udp udp = new Inet.Udp();
        udp.source = "100.96.1.5";
        udp.ttl = 1;
        udp.payload = Inet.pattern(1400, 2);
        write(c, "build", "time-exceeded-1400-quoted-to-576", b(7, 1, 0), u16(0), udp.build());
        write(c, "build", "burst-then-rate-limited", b(1, 1, 63), u16(0), udp.build());
        write(c, "build", "refilled-every-5ms", b(1, 1, 63), u16(50), udp.build());
        byte[] error = echo("100.96.1.5", "100.96.99.9", 64);
        error[20] = 3;
        write(c, "build", "no-error-about-an-error", b(9, 0, 0), u16(0), error);
        byte[] fragment = echo("100.96.1.5", "100.96.99.9", 64);
        fragment[7] = 1;
        write(c, "build", "no-error-about-a-later-fragment", b(9, 0, 0), u16(0), fragment);
        write(c, "build", "no-error-from-0.0.0.0", b(9, 0, 0), u16(0), echo("0.0.0.0", "100.96.99.9", 64));
        write(c, "build", "icmp-without-type", b(9, 0, 0), u16(0), Arrays.copyOf(error, 20));
        write(c, "build", "short", b(9, 0, 0), u16(0), Arrays.copyOf(error, 7));
    }

    private void segmenter() throws IOException {
        Class<?> c = SegmenterFuzzTest.class;
        Inet.Tcp tso = new Inet.Tcp();
        tso.options = Inet.timestamps(1000, 2000);
        tso.payload = Inet.pattern(3 * 1448 - 100, 4);
        tso.flags = Inet.ACK | Inet.PSH | Inet.FIN;
        write(c, "segment", "tcp-tso-3-segments", vnet(VirtioNetHdr.FLAG_NEEDS_CSUM, VirtioNetHdr.GSO_TCPV4, 66, 1448,
                20, 16), b(0, 0), u16(511), tso.buildPartial());
        Inet.Tcp ecn = tso.copy();
        ecn.flags = Inet.ACK | Inet.CWR;
        write(c, "segment", "tcp-ecn-cwr-first-only", vnet(1, VirtioNetHdr.GSO_TCPV4 | VirtioNetHdr.GSO_ECN, 66, 1000,
                20, 16), b(3, 5), u16(7), ecn.buildPartial());
        Inet.Udp uso = new Inet.Udp();
        uso.payload = Inet.pattern(4 * 1200, 5);
        write(c, "segment", "udp-uso-4-segments", vnet(1, VirtioNetHdr.GSO_UDP_L4, 28, 1200, 20, 6), b(1, 2),
                u16(63), uso.buildPartial());
        write(c, "segment", "too-many-for-the-area", vnet(1, VirtioNetHdr.GSO_UDP_L4, 28, 1200, 20, 6), b(1, 2),
                u16(2), uso.buildPartial());
        write(c, "segment", "gso-size-0", vnet(1, VirtioNetHdr.GSO_TCPV4, 66, 0, 20, 16), b(1, 2), u16(63),
                tso.buildPartial());
        Inet.Tcp withOptions = tso.copy();
        withOptions.ipOptions = new byte[] {1, 1, 1, 0, 1, 1, 1, 0};
        write(c, "segment", "tcp-with-ip-options", vnet(1, VirtioNetHdr.GSO_TCPV4, 74, 500, 28, 16), b(2, 9),
                u16(511), withOptions.buildPartial());
        Inet.Tcp single = new Inet.Tcp();
        single.payload = Inet.pattern(777, 6);
        write(c, "segment", "needs-csum-tcp", vnet(VirtioNetHdr.FLAG_NEEDS_CSUM, 0, 0, 0, 20, 16), b(4, 0), u16(0),
                single.buildPartial());
        Inet.Udp dns = new Inet.Udp();
        dns.payload = Inet.pattern(33, 7);
        write(c, "segment", "needs-csum-udp-odd", vnet(VirtioNetHdr.FLAG_NEEDS_CSUM, 0, 0, 0, 20, 6), b(5, 0), u16(0),
                dns.buildPartial());
        write(c, "segment", "needs-csum-offset-beyond", vnet(VirtioNetHdr.FLAG_NEEDS_CSUM, 0, 0, 0, 20, 60000), b(5, 0),
                u16(0), dns.buildPartial());
        write(c, "segment", "udp-gso-on-tcp", vnet(1, VirtioNetHdr.GSO_UDP_L4, 28, 1200, 20, 6), b(1, 2), u16(63),
                tso.buildPartial());
    }

    private static byte[] vnet(int flags, int gsoType, int hdrLen, int gsoSize, int csumStart, int csumOffset) {
        ByteBuffer b = ByteBuffer.allocate(VirtioNetHdr.LENGTH);
        VirtioNetHdr.write(b, 0, flags, gsoType, hdrLen, gsoSize, csumStart, csumOffset);
        return b.array();
    }

    /** A segment record: kind 1, flow, flags selector, payload length, step, variant, no flips. */
    private static byte[] segment(int flow, int flags, int length, int step, int variant) {
        return Inet.concat(Inet.concat(b(1, flow, flags), u16(length)), b(step, variant, 0));
    }

    private static byte[] raw(byte[] p) {
        return Inet.concat(Inet.concat(b(0), u16(p.length)), p);
    }

    private static byte[] repeat(int times, byte[] record) {
        byte[] out = new byte[0];
        for (int i = 0; i < times; i++) {
            out = Inet.concat(out, record);
        }
        return out;
    }

    private void coalescer() throws IOException {
        Class<?> c = TcpCoalescerFuzzTest.class;
        write(c, "coalesce", "one-flow-in-order", b(127, 7), repeat(5, segment(0, 0, 1000, 0, 0)));
        write(c, "coalesce", "shorter-last-and-psh", b(127, 7), repeat(3, segment(0, 0, 1000, 0, 0)),
                segment(0, 0, 500, 0, 0), repeat(2, segment(0, 0, 1000, 0, 0)), segment(0, 1, 1000, 0, 0));
        write(c, "coalesce", "two-flows-interleaved", b(127, 7), repeat(4, Inet.concat(segment(0, 0, 1000, 0, 0),
                segment(1, 0, 1000, 0, 0))), segment(3, 0, 1000, 0, 0), segment(2, 0, 1000, 0, 0));
        write(c, "coalesce", "gap-and-retransmit", b(127, 7), repeat(2, segment(0, 0, 1000, 0, 0)),
                segment(0, 0, 1000, 2, 0), segment(0, 0, 1000, 3, 0), segment(0, 0, 1000, 0, 0));
        write(c, "coalesce", "changed-fields-close-the-group", b(127, 7), segment(0, 0, 1000, 0, 0),
                segment(0, 0, 1000, 0, 2), segment(0, 0, 1000, 0, 4), segment(0, 0, 1000, 0, 64),
                segment(0, 0, 1000, 0, 128), segment(0, 0, 1000, 0, 1), segment(0, 0, 1000, 0, 0));
        write(c, "coalesce", "fragment-and-ip-options", b(127, 7), repeat(2, segment(0, 0, 1000, 0, 0)),
                segment(0, 0, 1000, 0, 16), segment(1, 0, 1000, 0, 8), repeat(2, segment(0, 0, 1000, 0, 0)));
        write(c, "coalesce", "syn-fin-pure-ack", b(127, 7), segment(0, 4, 0, 0, 0), segment(0, 0, 0, 0, 0),
                repeat(2, segment(0, 0, 1000, 0, 0)), segment(0, 5, 1000, 0, 0));
        write(c, "coalesce", "more-than-64-segments", b(127, 7), repeat(70, segment(0, 0, 100, 0, 0)));
        write(c, "coalesce", "full-batches", b(9, 0), repeat(30, Inet.concat(segment(0, 0, 1000, 0, 0),
                segment(1, 0, 1000, 0, 0))));
        write(c, "coalesce", "garbage", b(127, 7), raw(new byte[0]), raw(b(0x45, 0, 0, 20)),
                raw(echo("100.96.2.9", "100.96.1.5", 63)), raw(Arrays.copyOf(tcp("100.96.2.5", "100.96.1.7", 10), 30)),
                segment(0, 0, 1000, 0, 0));
    }
}
