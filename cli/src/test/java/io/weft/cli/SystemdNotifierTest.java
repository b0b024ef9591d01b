package io.weft.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** sd_notify datagrams, received by a real unix datagram socket in another process (python3's socket module). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemdNotifierTest {
    @TempDir
    Path dir;

    @Test
    void readyAndStoppingReachTheNotifySocket() throws Exception {
        Path socket = dir.resolve("notify.sock");
        Process receiver = new ProcessBuilder("/usr/bin/python3", "-c", String.join("\n",
                "import socket, sys",
                "s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)",
                "s.bind(sys.argv[1])",
                "s.settimeout(30)",
                "for _ in range(2):",
                "    print(s.recv(1024).decode().replace('\\n', '|'), flush=True)"), socket.toString())
                .redirectErrorStream(true).start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(socket));
            SystemdNotifier notifier = new SystemdNotifier(socket.toString());
            notifier.ready();
            notifier.stopping();
            assertTrue(receiver.waitFor(20, TimeUnit.SECONDS));
            String got = new String(receiver.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals("READY=1|STATUS=holding lease, data path up\nSTOPPING=1\n", got);
        } finally {
            receiver.destroyForcibly();
        }
    }

    @Test
    void withoutNotifySocketNothingIsSent() {
        assertFalse(new SystemdNotifier(null).notify("READY=1"));
        assertFalse(new SystemdNotifier("").notify("READY=1"));
        assertFalse(new SystemdNotifier(dir.resolve("absent.sock").toString()).notify("READY=1"),
                "a missing socket is reported, not thrown");
    }
}
