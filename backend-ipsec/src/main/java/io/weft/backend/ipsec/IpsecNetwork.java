package io.weft.backend.ipsec;

import io.weft.core.runtime.LoopThread;
import io.weft.core.spi.backend.Network;
import io.weft.core.spi.backend.NetworkEvent;
import io.weft.core.spi.backend.NetworkStats;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ipsec backend's running network: the udp data path with the ESP stage in it, plus a reporter
 * {@link LoopThread} it names and owns ({@code weft-ipsec-report}) that once a second rewrites the SA list
 * file when the SAs changed (logging each change), logs each peer whose packets fail authentication, once,
 * and, when the data path's AES-GCM is the JCE's {@code Cipher} (which allocates per packet), every
 * {@link YoungGeneration#CHECK_SECONDS} seconds keeps the young generation at that size. Events go to the data
 * path, whose route table makes each new peer's ESP session before it routes to
 * the peer. Stats are the data path's with the ESP drop counters and each peer's key changes added.
 * Thread-safe as {@link Network} asks.
 */
final class IpsecNetwork implements Network {
    private static final Logger LOG = LoggerFactory.getLogger(IpsecNetwork.class);
    static final long REPORT_MILLIS = 1000;
    private static final Duration JOIN = Duration.ofSeconds(2);
    private final Network udp;
    private final Supplier<List<EspTransform.Session>> sessions;
    private final EspTransform esp;
    private final EspStats stats;
    private final SaListFile.Contents header;
    private final Path saFile;
    private final boolean growYoungGeneration;
    private LoopThread reporter;
    private boolean closed;
    private List<SaRecord> written;

    /**
     * @param sessions            the ESP sessions in the data path's route table now
     * @param growYoungGeneration whether the data path's AES-GCM allocates per packet ({@link AeadKind#JDK})
     */
    IpsecNetwork(Network udp, Supplier<List<EspTransform.Session>> sessions, EspTransform esp, EspStats stats,
            SaListFile.Contents header, Path saFile, boolean growYoungGeneration) {
        this.udp = udp;
        this.sessions = sessions;
        this.esp = esp;
        this.stats = stats;
        this.header = header;
        this.saFile = saFile;
        this.growYoungGeneration = growYoungGeneration;
    }

    @Override
    public void run() throws InterruptedException {
        synchronized (this) {
            if (closed || reporter != null) {
                return;
            }
            reportOnce();
            reporter = LoopThread.start("weft-ipsec-report", this::report, () -> { },
                    t -> LOG.error("thread weft-ipsec-report failed: {}", t.toString()));
        }
        udp.run();
    }

    private void report(LoopThread self) throws InterruptedException {
        if (growYoungGeneration) {
            YoungGeneration.ensure();
        }
        long lastHeapCheck = System.nanoTime();
        while (self.running()) {
            Thread.sleep(REPORT_MILLIS);
            reportOnce();
            if (growYoungGeneration
                    && System.nanoTime() - lastHeapCheck >= YoungGeneration.CHECK_SECONDS * 1_000_000_000L) {
                YoungGeneration.ensure();
                lastHeapCheck = System.nanoTime();
            }
        }
    }

    private void reportOnce() {
        List<EspTransform.Session> now = sessions.get();
        for (String warning : esp.newAuthenticationWarnings(now)) {
            LOG.warn(warning);
        }
        List<SaRecord> records = esp.saRecords(now);
        if (records.equals(written)) {
            return;
        }
        for (SaRecord sa : records) {
            if (sa.current() && (written == null || !written.contains(sa))) {
                LOG.info("ipsec SA in use direction={} src={} dst={} spi={}", sa.outbound() ? "out" : "in",
                        sa.source(), sa.destination(), Esp.spiHex(sa.spi()));
            }
        }
        try {
            SaListFile.write(saFile, new SaListFile.Contents(header.publicKey(), header.keyBits(), header.pskId(),
                    records));
            written = records;
        } catch (RuntimeException e) {
            LOG.warn("cannot write the SA list; retrying in {} ms: {}", REPORT_MILLIS, e.getMessage());
        }
    }

    @Override
    public void handleEvents(List<NetworkEvent> events) {
        udp.handleEvents(events);
    }

    @Override
    public NetworkStats stats() {
        NetworkStats s = udp.stats();
        Map<String, Long> drops = new LinkedHashMap<>(s.drops());
        for (EspDrop d : EspDrop.values()) {
            drops.put(d.key(), stats.drops(d));
        }
        return s.withDrops(drops).withKeyChanges(esp.keyChanges());
    }

    @Override
    public synchronized boolean isUp() {
        return udp.isUp() && reporter != null && reporter.isAlive();
    }

    @Override
    public void close() {
        LoopThread started;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            started = reporter;
        }
        if (started != null && !started.stop(JOIN)) {
            LOG.warn("thread weft-ipsec-report still running {} ms after stop", JOIN.toMillis());
        }
        udp.close();
        LOG.info("ipsec closed sealed={} opened={} outboundSas={} inboundSas={} drops={}", stats.sealedCount(),
                stats.openedCount(), stats.outboundSaCount(), stats.inboundSaCount(), stats.dropCounts());
    }
}
