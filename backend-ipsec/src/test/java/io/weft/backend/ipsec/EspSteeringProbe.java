package io.weft.backend.ipsec;

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
 * Run by {@link EspSteeringNetnsTest} inside a namespace of its own: binds {@code queues} reuseport sockets on
 * 127.0.0.1, attaches {@link EspSteering#program}, sends ESP-in-UDP payloads with SPIs of every sending queue (and
 * random clocks), a non-ESP marker (SPI 0) and a datagram too short to hold an SPI, and reports for each which
 * socket the kernel delivered it to against the socket {@link EspSteering#queue} names (socket 0 for the short
 * one). Each ESP datagram carries its number in the sequence number field; the short one is the byte 0x7f. Prints
 * {@code RESULT attached=…}, {@code RESULT delivered=…}, {@code RESULT mismatches=…}, {@code RESULT perQueue=…}
 * and {@code RESULT expectedPerQueue=…}.
 */
public final class EspSteeringProbe {
    private static final int PORT = 4500;
    private static final int DATAGRAMS = 64;
    private static final int SHORT = DATAGRAMS;

    public static void main(String[] args) throws Exception {
        int queues = Integer.parseInt(args[0]);
        Syscalls sys = Syscalls.load();
        int loopback = Ipv4.parse("address", "127.0.0.1");
        List<UdpSocket> sockets = new ArrayList<>();
        for (int q = 0; q < queues; q++) {
            sockets.add(UdpSocket.open(sys, loopback, PORT, true));
        }
        System.out.println("RESULT attached=" + sockets.get(0).attachReusePortProgram(EspSteering.program(queues)));
        List<ByteBuffer> datagrams = datagrams(new Random(11));
        int[] expected = new int[queues];
        int[] expectedQueue = new int[datagrams.size() + 1];
        for (int i = 0; i < datagrams.size(); i++) {
            expectedQueue[i] = EspSteering.queue(datagrams.get(i), 0, queues);
            expected[expectedQueue[i]]++;
        }
        expectedQueue[SHORT] = 0;
        expected[0]++;
        try (DatagramChannel sender = DatagramChannel.open()) {
            InetSocketAddress to = new InetSocketAddress("127.0.0.1", PORT);
            for (ByteBuffer d : datagrams) {
                sender.send(d.duplicate(), to);
            }
            sender.send(ByteBuffer.wrap(new byte[] {0x7f, 0}), to);
        }
        int[] perQueue = new int[queues];
        int delivered = 0;
        int mismatches = 0;
        ByteBuffer buffer = ByteBuffer.allocateDirect(2048);
        long address = Syscalls.address(buffer);
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (delivered < datagrams.size() + 1 && System.nanoTime() < deadline) {
            for (int q = 0; q < queues; q++) {
                long n = sys.libc().recv(sockets.get(q).fd(), address, buffer.capacity(), LibC.MSG_DONTWAIT);
                if (n <= 0) {
                    continue;
                }
                int id = n < 8 ? SHORT : buffer.getInt(4);
                delivered++;
                perQueue[q]++;
                if (expectedQueue[id] != q) {
                    mismatches++;
                    System.out.println("datagram " + id + " arrived on socket " + q + ", expected "
                            + expectedQueue[id]);
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

    /**
     * ESP payloads: SPIs of each sending queue in turn with random clocks (as {@link Esp#nextSpi} makes them), a
     * non-ESP marker (SPI 0) as the last, each numbered in its sequence number field and padded to a typical size.
     */
    private static List<ByteBuffer> datagrams(Random random) {
        List<ByteBuffer> out = new ArrayList<>();
        for (int id = 0; id < DATAGRAMS; id++) {
            int spi = id == DATAGRAMS - 1 ? 0 : (int) Esp.nextSpi(random.nextInt() & 0x7fffffffL, 0,
                    id % Esp.SA_QUEUES);
            ByteBuffer d = ByteBuffer.allocate(Esp.espLength(20 + random.nextInt(1400)));
            d.putInt(0, spi).putInt(4, id);
            out.add(d);
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
