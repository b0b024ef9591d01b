package io.weft.it.lab;

import java.time.Duration;
import org.awaitility.Awaitility;

/**
 * A ping that runs on while a test disturbs the overlay (a daemon restart, an etcd outage): one echo request every
 * 200 ms, each given 1 s for its reply, and at the end whether every one came back. Made by {@link #start}; the lab
 * stops the process on close. One test thread drives it.
 */
public final class PingRun {
    private final LabProcess ping;
    private final int count;

    private PingRun(LabProcess ping, int count) {
        this.ping = ping;
        this.count = count;
    }

    /** Starts {@code count} pings from {@code from} to {@code destination} and waits until the first replies came. */
    public static PingRun start(LabHost from, String destination, int count) {
        LabProcess ping = from.start("ping", "ping", "-n", "-i", "0.2", "-c", String.valueOf(count), "-W", "1",
                destination);
        Awaitility.await("ping runs").atMost(Duration.ofSeconds(10)).until(() -> ping.output().contains("icmp_seq=3 "));
        return new PingRun(ping, count);
    }

    public boolean isRunning() {
        return ping.isAlive();
    }

    /** Waits until every ping was sent and fails unless each one had its reply. */
    public void assertNoneLost(Duration within) {
        Awaitility.await("ping done").atMost(within).until(() -> !ping.isAlive());
        String summary = count + " packets transmitted, " + count + " received, 0% packet loss";
        if (!ping.output().contains(summary)) {
            throw new AssertionError("no ping lost: " + ping.output());
        }
    }
}
