package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Path;
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
        try (NotifySocket socket = new NotifySocket(dir.resolve("notify.sock"), 2)) {
            SystemdNotifier notifier = new SystemdNotifier(socket.path().toString());
            notifier.ready();
            notifier.stopping();
            assertEquals("READY=1|STATUS=holding lease, data path up", socket.next());
            assertEquals("STOPPING=1", socket.next());
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
