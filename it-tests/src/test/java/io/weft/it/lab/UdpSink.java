package io.weft.it.lab;

import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/**
 * A UDP listener run as a child JVM inside a lab namespace (a host's or a container's):
 * {@code PORT SECONDS} binds the port on every address, prints {@code listening}, then
 * {@code got <text> from <address>} for each datagram, and exits after {@code SECONDS}. The test reads what
 * arrived from the process's log.
 */
public final class UdpSink {
    private UdpSink() {
    }

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long deadline = System.nanoTime() + Long.parseLong(args[1]) * 1_000_000_000L;
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(port))) {
            socket.setSoTimeout(500);
            System.out.println("listening");
            DatagramPacket packet = new DatagramPacket(new byte[2048], 2048);
            while (System.nanoTime() < deadline) {
                try {
                    socket.receive(packet);
                } catch (SocketTimeoutException e) {
                    continue;
                }
                System.out.println("got " + new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8)
                        + " from " + packet.getAddress().getHostAddress());
            }
        }
    }
}
