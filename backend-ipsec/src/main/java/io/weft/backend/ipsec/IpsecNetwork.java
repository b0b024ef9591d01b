package io.weft.backend.ipsec;

import io.weft.core.model.Lease;
import io.weft.core.model.LeaseEvent;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkStats;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ipsec backend's running network: the udp data path with the ESP stage in it, plus a reporter thread
 * it names and owns ({@code weft-ipsec-report}) that once a second rewrites the SA list file when the SAs
 * changed (logging each change), and logs each peer whose packets fail authentication, once. Lease events
 * go to the ESP stage first (so a new peer has keys before it has a route), then to the data path. Stats
 * are the data path's with the ESP drop counters added. Thread-safe as {@link Network} asks.
 */
final class IpsecNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(IpsecNetwork.class);
    static final long REPORT_MILLIS = 1000;
    private final Network udp;
    private final EspTransform esp;
    private final EspStats stats;
    private final SaListFile.Contents header;
    private final Path saFile;
    private final CountDownLatch stop = new CountDownLatch(1);
    private final Thread reporter;
    private List<SaRecord> written;

    IpsecNetwork(Network udp, EspTransform esp, EspStats stats, SaListFile.Contents header, Path saFile) {
        this.udp = udp;
        this.esp = esp;
        this.stats = stats;
        this.header = header;
        this.saFile = saFile;
        this.reporter = new Thread(this::report, "weft-ipsec-report");
        this.reporter.setDaemon(true);
    }

    @Override
    public Lease lease() {
        return udp.lease();
    }

    @Override
    public int mtu() {
        return udp.mtu();
    }

    @Override
    public void run() throws InterruptedException {
        synchronized (this) {
            if (stop.getCount() == 0 || reporter.isAlive()) {
                return;
            }
            reportOnce();
            reporter.start();
        }
        udp.run();
    }

    private void report() {
        try {
            while (!stop.await(REPORT_MILLIS, TimeUnit.MILLISECONDS)) {
                reportOnce();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void reportOnce() {
        for (String warning : esp.newAuthenticationWarnings()) {
            LOG.warn(warning);
        }
        List<SaRecord> now = esp.saRecords();
        if (now.equals(written)) {
            return;
        }
        for (SaRecord sa : now) {
            if (sa.current() && (written == null || !written.contains(sa))) {
                LOG.info("ipsec SA in use direction={} src={} dst={} spi={}", sa.outbound() ? "out" : "in",
                        sa.source(), sa.destination(), Esp.spiHex(sa.spi()));
            }
        }
        try {
            SaListFile.write(saFile, new SaListFile.Contents(header.publicKey(), header.keyBits(), header.pskId(), now));
            written = now;
        } catch (RuntimeException e) {
            LOG.warn("cannot write the SA list; retrying in {} ms: {}", REPORT_MILLIS, e.getMessage());
        }
    }

    @Override
    public void handleEvents(List<LeaseEvent> events) {
        esp.handleEvents(events);
        udp.handleEvents(events);
    }

    @Override
    public void leaseChanged(Lease lease) {
        udp.leaseChanged(lease);
    }

    @Override
    public NetworkStats stats() {
        NetworkStats s = udp.stats();
        Map<String, Long> drops = new LinkedHashMap<>(s.drops());
        for (EspDrop d : EspDrop.values()) {
            drops.put(d.key(), stats.drops(d));
        }
        return new NetworkStats(s.txPackets(), s.txBytes(), s.rxPackets(), s.rxBytes(), drops, s.peers());
    }

    @Override
    public boolean isUp() {
        return udp.isUp() && reporter.isAlive();
    }

    @Override
    public void close() {
        stop.countDown();
        try {
            reporter.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        udp.close();
        LOG.info("ipsec closed sealed={} opened={} outboundSas={} inboundSas={} drops={}", stats.sealedCount(),
                stats.openedCount(), stats.outboundSaCount(), stats.inboundSaCount(), stats.dropCounts());
    }
}
