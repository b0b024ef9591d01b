package io.weft.cli;

import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real sd_notify listener for tests: a unix datagram socket bound by another process (python3's socket
 * module, since the JDK has no unix datagram sockets) that prints each message as one line, with the
 * message's own newlines shown as {@code |}. Close it to stop the listener.
 */
final class NotifySocket implements AutoCloseable {
    private final Path path;
    private final Process listener;
    private final BufferedReader lines;

    NotifySocket(Path path, int messages) throws IOException {
        this.path = path;
        listener = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                "import socket, sys",
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
                "s.bind(sys.argv[1])",
                "s.settimeout(30)",
                "for _ in range(int(sys.argv[2])):",
                "    print(s.recv(1024).decode().replace('\\n', '|'), flush=True)"), path.toString(),
                String.valueOf(messages)).redirectErrorStream(true).start();
        lines = new BufferedReader(new InputStreamReader(listener.getInputStream(), StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(path) || !listener.isAlive());
    }

    Path path() {
        return path;
    }

    /** The next message received (waits up to the listener's 30 s timeout). */
    String next() throws IOException {
        return lines.readLine();
    }

    @Override
    public void close() {
        listener.destroyForcibly();
    }
}
