package io.weft.backend.udp;

import io.weft.core.model.Ipv4;
import io.weft.linux.LibC;
import io.weft.linux.Syscalls;
import io.weft.linux.UdpSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Run by {@link FlowSteeringNetnsTest} inside a namespace of its own: binds {@code queues} reuseport sockets on
 * 127.0.0.1, attaches {@link FlowSteering#program}, sends datagrams whose payloads are IPv4 packets of many
 * flows (TCP, UDP with options in the IP header, ICMP), and reports for each which socket the kernel delivered it
 * to against the socket {@link FlowSteering#queue} names. Each datagram carries its number in the IP id field.
 * Prints {@code RESULT attached=…}, {@code RESULT delivered=…}, {@code RESULT mismatches=…},
 * {@code RESULT perQueue=…} and {@code RESULT expectedPerQueue=…}.
 */
public final class FlowSteeringProbe {
    private static final int PORT = 8285;
    private static final int DATAGRAMS = 96;

    public static void main(String[] args) throws Exception {
        int queues = Integer.parseInt(args[0]);
        Syscalls sys = Syscalls.load();
        int loopback = Ipv4.parse("address", "127.0.0.1");
        List<UdpSocket> sockets = new ArrayList<>();
        for (int q = 0; q < queues; q++) {
            sockets.add(UdpSocket.open(sys, loopback, PORT, true));
        }
        System.out.println("RESULT attached=" + sockets.get(0).attachReusePortProgram(FlowSteering.program(queues)));
        List<ByteBuffer> packets = packets(new Random(7));
        int[] expected = new int[queues];
        int[] expectedQueue = new int[packets.size()];
        for (int i = 0; i < packets.size(); i++) {
            expectedQueue[i] = FlowSteering.queue(packets.get(i), 0, queues);
            expected[expectedQueue[i]]++;
        }
        try (DatagramChannel sender = DatagramChannel.open()) {
            for (ByteBuffer p : packets) {
                sender.send(p.duplicate(), new InetSocketAddress("127.0.0.1", PORT));
            }
        }
        int[] perQueue = new int[queues];
        int delivered = 0;
        int mismatches = 0;
        PacketBatch batch = new PacketBatch(64, false, 0);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (delivered < packets.size() && System.nanoTime() < deadline) {
            for (int q = 0; q < queues; q++) {
                batch.prepareReceive();
                int n = sys.libc().recvmmsg(sockets.get(q).fd(), batch.vector(), batch.capacity(), LibC.MSG_DONTWAIT,
                        0);
                if (n <= 0) {
                    continue;
                }
                batch.received(n);
                for (int i = 0; i < n; i++) {
                    int id = batch.data().getShort(batch.offset(i) + 4) & 0xFFFF;
                    delivered++;
                    perQueue[q]++;
                    if (expectedQueue[id] != q) {
                        mismatches++;
                        System.out.println("datagram " + id + " arrived on socket " + q + ", expected "
                                + expectedQueue[id]);
                    }
                }
            }
            Thread.onSpinWait();
        }
        sockets.forEach(UdpSocket::close);
        System.out.println("RESULT delivered=" + delivered);
        System.out.println("RESULT mismatches=" + mismatches);
        System.out.println("RESULT perQueue=" + join(perQueue));
        System.out.println("RESULT expectedPerQueue=" + join(expected));
    }

    /** TCP and UDP packets of random flows (some with a 24-byte IP header), and ICMP echoes. */
    private static List<ByteBuffer> packets(Random random) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int id = 0; id < DATAGRAMS; id++) {
            int protocol = switch (id % 3) {
                case 0 -> Checksums.PROTOCOL_TCP;
                case 1 -> Checksums.PROTOCOL_UDP;
                default -> 1;
            };
            int headerLength = id % 4 == 1 ? 24 : 20;
            ByteBuffer p = ByteBuffer.allocate(headerLength + 20);
            p.put(0, (byte) (0x40 | headerLength / 4));
            p.putShort(2, (short) p.capacity());
            p.putShort(4, (short) id);
            p.put(8, (byte) 64);
            p.put(9, (byte) protocol);
            p.putInt(12, 0x64600000 | random.nextInt(1 << 16));
            p.putInt(16, 0x64600000 | random.nextInt(1 << 16));
            p.putInt(headerLength, random.nextInt());
            out.add(p);
        }
        return out;
    }

    private static String join(int[] values) {
        StringBuilder s = new StringBuilder();
        for (int v : values) {
            s.append(s.length() == 0 ? "" : ",").append(v);
        }
        return s.toString();
    }
}
