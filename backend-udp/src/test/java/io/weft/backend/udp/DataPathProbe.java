package io.weft.backend.udp;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.spi.backend.ExternalInterface;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * Runs the real udp data path inside a network namespace that {@link DataPathNetnsTest} created (never
 * run it elsewhere: it creates a TUN device and routes). Only loopback is used: this process plays the
 * local "container" (a UDP socket on the device address) and the remote peer (a UDP socket on 127.0.0.2,
 * speaking the wire format), and bounces packets through both forwarding threads. It prints
 * {@code RESULT key=value} lines for the test to check.
 */
public final class DataPathProbe {
    private static final int PORT = 8285;
    private static final int APP_PORT = 7777;
    private static final int REMOTE_PORT = 9999;
    private static final String DEVICE = "wefttest0";

    public static void main(String[] args) throws Exception {
        int warmup = Integer.parseInt(args[0]);
        int measured = Integer.parseInt(args[1]);
        ProbeNetwork probe = new ProbeNetwork(DEVICE, new ExternalInterface("lo", "127.0.0.1", 1500),
                Ipv4Subnet.parse("100.96.1.0/24"), Ipv4Subnet.parse("100.96.2.0/24"), "127.0.0.2");
        UdpNetwork net = probe.network();
        try (DatagramSocket peer = new DatagramSocket(new InetSocketAddress("127.0.0.2", PORT));
                DatagramSocket app = new DatagramSocket(new InetSocketAddress("100.96.1.0", APP_PORT));
                DatagramSocket stranger = new DatagramSocket(new InetSocketAddress("127.0.0.3", PORT));
                DatagramSocket peerOtherPort = new DatagramSocket(new InetSocketAddress("127.0.0.2", 0))) {
            Bouncer bouncer = new Bouncer(peer, app);
            bouncer.bounce(warmup);
            long before = ProbeNetwork.forwardingAllocation();
            long start = System.nanoTime();
            bouncer.bounce(measured);
            long elapsed = System.nanoTime() - start;
            long after = ProbeNetwork.forwardingAllocation();
            System.out.println("RESULT allocatedBytes=" + (after - before));
            System.out.println("RESULT packetsEachWay=" + measured);
            System.out.println("RESULT ttlSeen=" + bouncer.lastTtl);
            System.out.println("RESULT checksumOk=" + bouncer.checksumsOk);
            System.out.println("RESULT microsPerRoundTrip=" + elapsed / 1000 / measured);

            // A stranger speaks the wire format from an address that holds no lease.
            InetSocketAddress weft = new InetSocketAddress("127.0.0.1", PORT);
            stranger.send(datagram(Bouncer.inner(100, 64, "100.96.2.5", "100.96.1.0").array(), weft));
            // A peer sends garbage and a packet for someone else's subnet.
            peer.send(datagram(new byte[] {0x45, 0, 0}, weft));
            peer.send(datagram(Bouncer.inner(100, 64, "100.96.2.5", "100.96.3.9").array(), weft));
            // The peer's address but another port, and the peer's port with a source in this host's subnet.
            peerOtherPort.send(datagram(Bouncer.inner(100, 64, "100.96.2.5", "100.96.1.0").array(), weft));
            peer.send(datagram(Bouncer.inner(100, 64, "100.96.1.7", "100.96.1.0").array(), weft));
            // The app sends to an unleased destination in the Network.
            app.send(datagram(new byte[8], new InetSocketAddress("100.96.77.1", REMOTE_PORT)));
            DataPathStats stats = net.counters();
            Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> stats.drops(DropReason.UNKNOWN_PEER) >= 1
                    && stats.drops(DropReason.SHORT) >= 1 && stats.drops(DropReason.NOT_OUR_SUBNET) >= 1
                    && stats.drops(DropReason.NET_UNREACHABLE) >= 1 && stats.drops(DropReason.WRONG_PORT) >= 1
                    && stats.drops(DropReason.SPOOFED_SOURCE) >= 1);
            System.out.println("RESULT drops=" + stats.dropCounts());
            System.out.println("RESULT stats=" + net.stats());
            System.out.println("RESULT up=" + net.isUp());
            System.out.println("RESULT icmpSent=" + stats.icmpErrorsSent());
        } finally {
            long closing = System.nanoTime();
            net.close();
            System.out.println("RESULT closeMillis=" + (System.nanoTime() - closing) / 1_000_000);
            probe.close();
        }
        System.out.println("RESULT deviceGone=" + !Files.exists(Path.of("/sys/class/net", DEVICE)));
        System.out.println("RESULT routeGone=" + Files.readAllLines(Path.of("/proc/net/route")).stream()
                .noneMatch(l -> l.startsWith(DEVICE)));
    }

    private static DatagramPacket datagram(byte[] bytes, InetSocketAddress to) {
        return new DatagramPacket(bytes, bytes.length, to);
    }

    /**
     * Keeps a window of packets in flight: peer → (udp→tun) → app → (tun→udp) → peer. Checks each packet
     * that comes back to the peer had its TTL decremented and still has a valid header checksum. Every
     * receive has a 5 s timeout.
     */
    private static final class Bouncer {
        private static final int WINDOW = 16;
        private final DatagramSocket peer;
        private final DatagramSocket app;
        private final byte[] packet;
        private final DatagramPacket toWeft;
        private final DatagramPacket atApp = new DatagramPacket(new byte[2048], 2048);
        private final DatagramPacket atPeer = new DatagramPacket(new byte[2048], 2048);
        private final InetSocketAddress remote = new InetSocketAddress("100.96.2.5", REMOTE_PORT);
        private int lastTtl;
        private boolean checksumsOk = true;

        Bouncer(DatagramSocket peer, DatagramSocket app) throws Exception {
            this.peer = peer;
            this.app = app;
            ByteBuffer b = inner(1000, 64, "100.96.2.5", "100.96.1.0");
            packet = new byte[b.remaining()];
            b.get(packet);
            toWeft = new DatagramPacket(packet, packet.length, new InetSocketAddress("127.0.0.1", PORT));
            peer.setSoTimeout(5000);
            app.setSoTimeout(5000);
        }

        /** An IPv4/UDP packet from REMOTE_PORT to APP_PORT with {@code payload} zero bytes (UDP checksum 0). */
        static ByteBuffer inner(int payload, int ttl, String source, String destination) {
            ByteBuffer b = ByteBuffer.allocate(28 + payload);
            b.put(0, (byte) 0x45).putShort(2, (short) (28 + payload)).put(8, (byte) ttl).put(9, (byte) 17);
            b.putInt(12, Ipv4.parse("source", source)).putInt(16, Ipv4.parse("destination", destination));
            b.putShort(10, (short) Ipv4Packet.checksum(b, 0, 20));
            b.putShort(20, (short) REMOTE_PORT).putShort(22, (short) APP_PORT).putShort(24, (short) (8 + payload));
            return b;
        }

        void bounce(int count) throws Exception {
            int sent = 0;
            int received = 0;
            while (received < count) {
                while (sent < count && sent - received < WINDOW) {
                    peer.send(toWeft);
                    sent++;
                }
                app.receive(atApp);
                app.send(new DatagramPacket(atApp.getData(), atApp.getLength(), remote));
                peer.receive(atPeer);
                ByteBuffer in = ByteBuffer.wrap(atPeer.getData(), 0, atPeer.getLength());
                lastTtl = in.get(8) & 0xff;
                checksumsOk &= Ipv4Packet.checksum(in, 0, 20) == 0;
                received++;
            }
        }
    }
}
