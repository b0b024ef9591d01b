package io.weft.backend.udp;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.spi.backend.ExternalInterface;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * One host of {@link OffloadNetnsTest}: runs the udp data path with offloads in the namespace the test made
 * for it (never run it elsewhere: it creates a TUN device and routes), and moves a TCP stream across the
 * overlay to the other host's probe, as its sender or its receiver. After a warm-up it measures what the
 * forwarding threads allocate while the rest of the stream passes: TSO super-packets cut and sent as UDP GSO
 * trains on the sender, GRO trains coalesced into TUN writes on the receiver, and the ACKs the other way. It
 * prints {@code RESULT key=value} lines.
 *
 * <p>Arguments: {@code send|receive}, own subnet, peer subnet, own underlay address, peer underlay address,
 * warm-up bytes, measured bytes.
 */
public final class OffloadProbe {
    private static final int APP_PORT = 5001;

    public static void main(String[] args) throws Exception {
        boolean sender = args[0].equals("send");
        Ipv4Subnet own = Ipv4Subnet.parse(args[1]);
        Ipv4Subnet peer = Ipv4Subnet.parse(args[2]);
        String ownIp = args[3];
        String peerIp = args[4];
        long warmup = Long.parseLong(args[5]);
        long measured = Long.parseLong(args[6]);

        ProbeNetwork probe = new ProbeNetwork("weftoff0", new ExternalInterface("veth0", ownIp, 1500), own, peer,
                peerIp);
        UdpNetwork net = probe.network();
        System.out.println("RESULT offloads=" + String.join(",", net.offloads().names()));
        try {
            String sha = sender ? send(peer, warmup, measured) : receive(own, warmup, measured);
            System.out.println("RESULT sha256=" + sha);
        } finally {
            System.out.println("RESULT drops=" + net.counters().dropCounts());
            System.out.println("RESULT stats=" + net.stats());
            probe.close();
        }
    }

    /** Connects to the receiver (retrying until it listens), sends the bytes, returns their SHA-256. */
    private static String send(Ipv4Subnet peer, long warmup, long measured) throws Exception {
        InetSocketAddress to = new InetSocketAddress(Ipv4.format(peer.base()), APP_PORT);
        Socket socket = null;
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (socket == null) {
            try {
                socket = new Socket();
                socket.connect(to, 1000);
            } catch (java.io.IOException e) {
                socket.close();
                socket = null;
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(100);
            }
        }
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] chunk = new byte[64 * 1024];
        new Random(7).nextBytes(chunk);
        try (Socket s = socket; OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
            s.setSoTimeout(60_000);
            pump(chunk, warmup, out, sha);
            Allocation allocation = Allocation.start();
            pump(chunk, measured, out, sha);
            // Wait for the receiver to say it has every byte: until then the data may still be in this host's
            // send buffer, and closing the data path now would lose it.
            int ack = in.read();
            allocation.report();
            if (ack != 'k') {
                throw new IllegalStateException("the receiver did not confirm the stream: " + ack);
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void pump(byte[] chunk, long bytes, OutputStream out, MessageDigest sha) throws Exception {
        for (long sent = 0; sent < bytes; sent += chunk.length) {
            int n = (int) Math.min(chunk.length, bytes - sent);
            out.write(chunk, 0, n);
            sha.update(chunk, 0, n);
        }
    }

    /** Accepts the sender on the device address (the own subnet's base), reads the bytes, returns their SHA-256. */
    private static String receive(Ipv4Subnet own, long warmup, long measured) throws Exception {
        String address = Ipv4.format(own.base());
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        try (ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(address, APP_PORT));
            server.setSoTimeout(60_000);
            try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                s.setSoTimeout(60_000);
                drain(in, buffer, warmup, sha);
                Allocation allocation = Allocation.start();
                drain(in, buffer, measured, sha);
                allocation.report();
                // Confirm, then wait for the sender to close: once its FIN is here it has the confirmation.
                out.write('k');
                out.flush();
                if (in.read() != -1) {
                    throw new IllegalStateException("the sender sent more than " + (warmup + measured) + " bytes");
                }
            }
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    private static void drain(InputStream in, byte[] buffer, long bytes, MessageDigest sha) throws Exception {
        long got = 0;
        while (got < bytes) {
            int n = in.read(buffer, 0, (int) Math.min(buffer.length, bytes - got));
            if (n < 0) {
                throw new IllegalStateException("stream ended after " + got + " of " + bytes + " bytes");
            }
            sha.update(buffer, 0, n);
            got += n;
        }
    }

    /** What the forwarding threads allocate between {@link #start()} and {@link #report()}. */
    private record Allocation(long before) {
        static Allocation start() {
            return new Allocation(ProbeNetwork.forwardingAllocation());
        }

        void report() {
            System.out.println("RESULT allocatedBytes=" + (ProbeNetwork.forwardingAllocation() - before));
        }
    }
}
