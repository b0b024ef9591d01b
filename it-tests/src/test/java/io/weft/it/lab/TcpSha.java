package io.weft.it.lab;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Optional;
import java.util.Random;
import org.awaitility.Awaitility;

/**
 * A TCP transfer with a SHA-256 at both ends, run as a child JVM inside a lab namespace:
 * {@code recv PORT} accepts one connection (30 s timeout) and prints {@code sha256=<hex> bytes=<n>};
 * {@code send HOST PORT MEGABYTES SEED} sends seeded pseudo-random bytes and prints the same line.
 * {@link #start} runs both ends between two lab hosts and {@link Transfer#awaitIntact} checks the digests, so
 * several transfers can run at once.
 */
public final class TcpSha {
    private TcpSha() {
    }

    /**
     * Starts a transfer of {@code megabytes} MB from {@code sender} to {@code receiver}'s overlay address: the sink
     * first (waiting until it listens), then the sender, each a child JVM in its host's namespace.
     *
     * @param port the sink's TCP port, also naming the two processes, so it must be unique per host pair
     */
    public static Transfer start(LabHost sender, LabHost receiver, int port, int megabytes, long seed) {
        LabProcess sink = receiver.start("tcp-sink-" + port, java(), "-Xmx64m", "-cp", classpath(),
                TcpSha.class.getName(), "recv", String.valueOf(port));
        Awaitility.await("sink on " + receiver.name() + ":" + port + " listening").atMost(Duration.ofSeconds(30))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> sink.output().contains("listening") || !sink.isAlive());
        if (!sink.output().contains("listening")) {
            throw new AssertionError("sink on " + receiver.name() + ":" + port + " exited: " + sink.output());
        }
        LabProcess send = sender.start("tcp-send-" + port, java(), "-Xmx64m", "-cp", classpath(),
                TcpSha.class.getName(), "send", receiver.overlayAddress(), String.valueOf(port),
                String.valueOf(megabytes), String.valueOf(seed));
        return new Transfer(sender.name() + "->" + receiver.name() + ":" + port, (long) megabytes << 20, send, sink);
    }

    /** The two ends of one running transfer. */
    public static final class Transfer {
        private final String name;
        private final long bytes;
        private final LabProcess sender;
        private final LabProcess sink;

        private Transfer(String name, long bytes, LabProcess sender, LabProcess sink) {
            this.name = name;
            this.bytes = bytes;
            this.sender = sender;
            this.sink = sink;
        }

        /**
         * Waits until both ends have printed their digest and checks that the sink got every byte the sender
         * sent, with the same SHA-256.
         *
         * @return the digest line, {@code sha256=<hex> bytes=<n>}
         */
        public String awaitIntact(Duration within) {
            Awaitility.await(name + " done").atMost(within).pollInterval(Duration.ofMillis(100))
                    .until(() -> (digest(sender).isPresent() || !sender.isAlive())
                            && (digest(sink).isPresent() || !sink.isAlive()));
            String sent = digest(sender).orElseThrow(() -> new AssertionError(name + ": the sender printed no digest: "
                    + sender.output()));
            String received = digest(sink).orElseThrow(() -> new AssertionError(name + ": the sink printed no digest"
                    + " (the sender's is " + sent + "): " + sink.output()));
            if (!sent.equals(received)) {
                throw new AssertionError(name + ": sent " + sent + " but received " + received);
            }
            if (!sent.endsWith(" bytes=" + bytes)) {
                throw new AssertionError(name + ": " + bytes + " bytes expected, sent " + sent);
            }
            return sent;
        }

        private static Optional<String> digest(LabProcess p) {
            return p.output().lines().filter(l -> l.startsWith("sha256=")).findFirst();
        }
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
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
