package io.weft.it.lab;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Sends UDP datagrams with chosen inner sources from inside a lab host's namespace, run as a child JVM:
 * <ul>
 *   <li>{@code bound SRC DST PORT TEXT [SRC DST PORT TEXT ...]}: for each, a socket bound to {@code SRC} (an
 *       address of this namespace; a test adds a forged one to {@code lo} first) sends {@code TEXT} to
 *       {@code DST:PORT}. For an overlay destination the kernel routes it into the host's TUN device, so the host's
 *       own weft daemon carries it to the peer from its bound port (and seals it, with ipsec), exactly as it
 *       carries any packet.</li>
 *   <li>{@code wire TO PORT SRC DST DPORT TEXT [SRC DST DPORT TEXT ...]}: one socket on an ephemeral port
 *       sends each inner IPv4/UDP packet {@code SRC → DST:DPORT} carrying {@code TEXT}, in the udp backend's
 *       wire format (the inner packet is the payload), to {@code TO:PORT}: as another process on the host's
 *       address would.</li>
 * </ul>
 * Prints {@code sent <text>} for each datagram.
 */
public final class ForgedDatagrams {
    private static final int INNER_SOURCE_PORT = 40000;

    private ForgedDatagrams() {
    }

    public static void main(String[] args) throws Exception {
        if (args[0].equals("bound")) {
            for (int i = 1; i + 3 < args.length; i += 4) {
                byte[] text = args[i + 3].getBytes(StandardCharsets.UTF_8);
                try (DatagramSocket s = new DatagramSocket(new InetSocketAddress(args[i], 0))) {
                    s.send(new DatagramPacket(text, text.length, new InetSocketAddress(args[i + 1],
                            Integer.parseInt(args[i + 2]))));
                }
                System.out.println("sent " + args[i + 3]);
            }
        } else if (args[0].equals("wire")) {
            InetSocketAddress to = new InetSocketAddress(args[1], Integer.parseInt(args[2]));
            try (DatagramSocket s = new DatagramSocket()) {
                for (int i = 3; i + 3 < args.length; i += 4) {
                    byte[] packet = inner(args[i], args[i + 1], Integer.parseInt(args[i + 2]),
                            args[i + 3].getBytes(StandardCharsets.UTF_8));
                    s.send(new DatagramPacket(packet, packet.length, to));
                    System.out.println("sent " + args[i + 3] + " from port " + s.getLocalPort());
                }
            }
        } else {
            throw new IllegalArgumentException("mode " + args[0] + " is neither bound nor wire");
        }
    }

    /** An IPv4/UDP packet with a valid header checksum and no UDP checksum (0, allowed for IPv4). */
    static byte[] inner(String source, String destination, int port, byte[] payload) throws Exception {
        ByteBuffer b = ByteBuffer.allocate(28 + payload.length);
        b.put((byte) 0x45).put((byte) 0).putShort((short) (28 + payload.length)).putShort((short) 1).putShort((short) 0)
                .put((byte) 64).put((byte) 17).putShort((short) 0)
                .put(InetAddress.getByName(source).getAddress()).put(InetAddress.getByName(destination).getAddress());
        b.putShort(10, (short) checksum(b.array(), 20));
        b.putShort((short) INNER_SOURCE_PORT).putShort((short) port).putShort((short) (8 + payload.length))
                .putShort((short) 0).put(payload);
        return b.array();
    }

    private static int checksum(byte[] b, int length) {
        int sum = 0;
        for (int i = 0; i < length; i += 2) {
            sum += ((b[i] & 0xff) << 8) | (b[i + 1] & 0xff);
        }
        while ((sum >>> 16) != 0) {
            sum = (sum & 0xffff) + (sum >>> 16);
        }
        return ~sum & 0xffff;
    }
}
