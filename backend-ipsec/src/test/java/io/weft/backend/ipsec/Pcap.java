package io.weft.backend.ipsec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes a pcap file of raw IPv4 packets (link type 101) and builds the packets, for tests that run tshark. */
final class Pcap {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private int seconds = 1_770_000_000;

    Pcap() {
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0).putInt(65535).putInt(101);
        out.writeBytes(h.array());
    }

    void add(byte[] packet) {
        ByteBuffer h = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
        h.putInt(seconds++).putInt(0).putInt(packet.length).putInt(packet.length);
        out.writeBytes(h.array());
        out.writeBytes(packet);
    }

    void write(Path file) throws IOException {
        Files.write(file, out.toByteArray());
    }

    static int address(String dotted) {
        String[] p = dotted.split("\\.");
        return (Integer.parseInt(p[0]) << 24) | (Integer.parseInt(p[1]) << 16) | (Integer.parseInt(p[2]) << 8)
                | Integer.parseInt(p[3]);
    }

    /** An IPv4 packet with a correct header checksum around {@code payload}. */
    static byte[] ipv4(int protocol, String src, String dst, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(20 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (20 + payload.length)).putShort((short) 1)
                .putShort((short) 0x4000).put((byte) 64).put((byte) protocol).putShort((short) 0)
                .putInt(address(src)).putInt(address(dst)).put(payload);
        byte[] a = b.array();
        int sum = checksum(a, 0, 20);
        a[10] = (byte) (sum >>> 8);
        a[11] = (byte) sum;
        return a;
    }

    static byte[] icmpEcho(int seq, byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + data.length);
        b.put((byte) 8).put((byte) 0).putShort((short) 0).putShort((short) 0x77).putShort((short) seq).put(data);
        byte[] a = b.array();
        int sum = checksum(a, 0, a.length);
        a[2] = (byte) (sum >>> 8);
        a[3] = (byte) sum;
        return a;
    }

    static byte[] udp(int port, byte[] payload) {
        ByteBuffer b = ByteBuffer.allocate(8 + payload.length);
        b.putShort((short) port).putShort((short) port).putShort((short) (8 + payload.length)).putShort((short) 0)
                .put(payload);
        return b.array();
    }

    static int checksum(byte[] a, int from, int length) {
        long sum = 0;
        for (int i = 0; i < length; i += 2) {
            int hi = a[from + i] & 0xff;
            int lo = i + 1 < length ? a[from + i + 1] & 0xff : 0;
            sum += (hi << 8) | lo;
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return (int) (~sum & 0xffff);
    }
}
