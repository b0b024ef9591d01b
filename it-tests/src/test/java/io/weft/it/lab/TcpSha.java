package io.weft.it.lab;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Random;

/**
 * A TCP transfer with a SHA-256 at both ends, run as a child JVM inside a lab namespace:
 * {@code recv PORT} accepts one connection (30 s timeout) and prints {@code sha256=<hex> bytes=<n>};
 * {@code send HOST PORT MEGABYTES SEED} sends seeded pseudo-random bytes and prints the same line.
 */
public final class TcpSha {
    private TcpSha() {
    }

    public static void main(String[] args) throws Exception {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        byte[] buffer = new byte[64 * 1024];
        long bytes = 0;
        if (args[0].equals("recv")) {
            try (ServerSocket server = new ServerSocket()) {
                server.bind(new InetSocketAddress(Integer.parseInt(args[1])));
                server.setSoTimeout(30_000);
                System.out.println("listening");
                try (Socket s = server.accept()) {
                    s.setSoTimeout(30_000);
                    InputStream in = s.getInputStream();
                    for (int n; (n = in.read(buffer)) > 0; ) {
                        sha.update(buffer, 0, n);
                        bytes += n;
                    }
                }
            }
        } else {
            long total = Long.parseLong(args[3]) << 20;
            Random random = new Random(Long.parseLong(args[4]));
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress(args[1], Integer.parseInt(args[2])), 10_000);
                s.setSoTimeout(30_000);
                OutputStream out = s.getOutputStream();
                while (bytes < total) {
                    random.nextBytes(buffer);
                    int n = (int) Math.min(buffer.length, total - bytes);
                    out.write(buffer, 0, n);
                    sha.update(buffer, 0, n);
                    bytes += n;
                }
            }
        }
        System.out.println("sha256=" + HexFormat.of().formatHex(sha.digest()) + " bytes=" + bytes);
    }
}
