package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Command;
import io.weft.it.lab.Lab;
import io.weft.it.lab.LabExtension;
import io.weft.it.lab.LabHost;
import io.weft.it.lab.LabProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SA rotation under a flood of forged ESP packets (issue 12, item 2): a forger in h1's namespace sends ESP in UDP
 * from h1's address and port to h2, with made-up SPIs that h2 would take for h1's next SA, 20,000 a second, while a
 * 100-packet-a-second flow from h1 to h2 crosses three SA rotations. Each forged packet may cost h2 at most one GCM
 * trial, and none may keep h1's real next SA from being installed. Every packet stays inside the lab.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class IpsecForgedSpiFloodTest {
    private static final String PSK = "lab-psk-0123456789abcdef0123456789abcdef";
    private static final int FORGED_PER_SECOND = 20_000;
    /** The forger's own bound; the test stops it once the flow is done. */
    private static final int FORGER_SECONDS = 90;
    private static final int FLOW_PACKETS = 3_500;

    /**
     * Sends forged ESP-in-UDP datagrams through a raw socket (so from the daemon's own port 4500 without binding
     * it) at a fixed rate, for at most {@code seconds} and {@code rate * seconds} packets. Half the SPIs lie within
     * 3 s of now (where a real new SA's SPI is), half up to 120 s ahead (the furthest a receiver accepts); sequence
     * numbers and the rest are random.
     */
    private static final String FORGER = """
            import os, random, signal, socket, struct, sys, time
            dst, port, rate, seconds = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
            limit = int(rate * seconds)
            s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_UDP)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 22)
            pool = [bytearray(struct.pack('!HHHH', port, port, 108, 0) + os.urandom(100)) for _ in range(256)]
            signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
            print('FORGER started', flush=True)
            start = time.monotonic()
            sent = 0
            try:
                while sent < limit:
                    elapsed = time.monotonic() - start
                    if elapsed >= seconds:
                        break
                    due = min(limit, int(elapsed * rate))
                    epoch = int(time.time())
                    while sent < due:
                        p = pool[sent & 255]
                        ahead = random.randint(-3, 3) if sent & 1 else random.randint(4, 120)
                        struct.pack_into('!II', p, 8, (epoch + ahead) & 0xffffffff, random.getrandbits(31) + 1)
                        try:
                            s.sendto(p, (dst, 0))
                        except OSError:
                            pass
                        sent += 1
                    time.sleep(0.002)
            finally:
                print('FORGER sent=%d seconds=%.1f' % (sent, time.monotonic() - start), flush=True)
            """;

    @RegisterExtension
    final LabExtension extension = new LabExtension();

    private static Path stateDir(LabHost h) {
        return h.workDir().resolve("ipsec");
    }

    private static long count(String text, String needle) {
        return text.lines().filter(l -> l.contains(needle)).count();
    }

    private static double forgedDrops(LabHost h) {
        Map<String, Double> m = h.metrics();
        double sum = 0;
        for (String reason : new String[] {"esp-unknown-spi", "esp-auth-failed", "esp-expired-sa", "esp-replay",
            "esp-too-old"}) {
            sum += m.getOrDefault("weft_drops_total{reason=" + reason + "}", 0.0);
        }
        return sum;
    }

    @Test
    void aFlowAcrossThreeRotationsLosesUnderOnePercentUnder20000ForgedSpisASecond() throws Exception {
        Lab lab = extension.lab();
        lab.startEtcd();
        lab.putNetworkConfig("{\"Network\":\"" + Lab.OVERLAY + "\",\"SubnetLen\":24,\"Backend\":{\"Type\":\"ipsec\","
                + "\"PSK\":\"" + PSK + "\",\"RekeySeconds\":10}}");
        LabHost h1 = lab.addHost(1);
        LabHost h2 = lab.addHost(2);
        for (LabHost h : new LabHost[] {h1, h2}) {
            h.startDaemon(Map.of("WEFT_IPSEC_STATE_DIR", stateDir(h).toString()));
        }
        h1.awaitSubnetEnv(Duration.ofSeconds(90));
        h2.awaitSubnetEnv(Duration.ofSeconds(90));
        h1.awaitPing(h2.overlayAddress(), Duration.ofSeconds(20));
        h2.awaitPing(h1.overlayAddress(), Duration.ofSeconds(20));

        String inboundFromH1 = "ipsec SA in use direction=in src=198.18.0.1";
        long sasBefore = count(h2.daemon().orElseThrow().output(), inboundFromH1);
        double dropsBefore = forgedDrops(h2);
        Path script = lab.work().resolve("esp-forger.py");
        Files.writeString(script, FORGER);
        LabProcess forger = h1.start("forger", "python3", script.toString(), "198.18.0.2", "4500",
                String.valueOf(FORGED_PER_SECOND), String.valueOf(FORGER_SECONDS));
        Awaitility.await("forger started").atMost(Duration.ofSeconds(20)).until(() -> forger.output()
                .contains("FORGER started"));

        // 100 packets a second for 35 s: at RekeySeconds 10, h1 replaces its SA to h2 at least three times.
        long flowStart = System.nanoTime();
        Command.Result ping = h1.exec(Duration.ofSeconds(80), "ping", "-n", "-q", "-i", "0.01", "-W", "2", "-c",
                String.valueOf(FLOW_PACKETS), h2.overlayAddress());
        long flowMillis = (System.nanoTime() - flowStart) / 1_000_000;
        boolean forgerStillRunning = forger.isAlive();
        forger.stop(Duration.ofSeconds(10));
        Matcher sent = Pattern.compile("FORGER sent=(\\d+)").matcher(forger.output());
        assertTrue(sent.find(), forger.output());
        long forged = Long.parseLong(sent.group(1));

        Matcher m = Pattern.compile("(\\d+) packets transmitted, (\\d+) received").matcher(ping.output());
        assertTrue(m.find(), ping.output());
        long transmitted = Long.parseLong(m.group(1));
        long received = Long.parseLong(m.group(2));
        long sas = count(h2.daemon().orElseThrow().output(), inboundFromH1) - sasBefore;
        double dropped = forgedDrops(h2) - dropsBefore;
        System.out.println("FIGURE ipsec forged-spi flood: forged=" + forged + " forgedDroppedAtH2=" + (long) dropped
                + " flowSent=" + transmitted + " flowReceived=" + received + " newInboundSas=" + sas + " flowMillis="
                + flowMillis);

        assertTrue(forgerStillRunning, "the forger ran for the whole flow:\n" + forger.output());
        assertTrue(forged >= FORGED_PER_SECOND * (flowMillis / 1000 - 1), "the forger kept its rate: " + forged
                + " in " + flowMillis + " ms");
        assertTrue(dropped >= forged / 2.0, "the forged packets reached h2's ESP stage: " + dropped + " of " + forged);
        assertTrue(sas >= 3, "h2 installed at least three new SAs from h1 during the flood: " + sas);
        assertTrue(transmitted == FLOW_PACKETS && (transmitted - received) * 100 < transmitted,
                "the flow lost under 1%: " + received + " of " + transmitted + " round trips\n" + ping.output());
    }
}
