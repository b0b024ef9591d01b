package io.weft.core.daemon;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.model.NetworkConfig;
import io.weft.core.runtime.Backoff;
import io.weft.core.spi.store.Store;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits for a usable network config, as flanneld does: reads it, and while the store is unreachable or the
 * config is missing, invalid or unsafe for this host (the check given), says why (once per distinct problem in
 * the log, each time to the readiness reporter) and retries with capped backoff. Stateless; one call per start.
 */
final class NetworkConfigWait {
    private static final Logger LOG = LoggerFactory.getLogger(NetworkConfigWait.class);
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofSeconds(10);

    private NetworkConfigWait() {
    }

    /**
     * Reads the config until it is there and valid.
     *
     * @param check   fails with a {@link WeftException} when a valid config is still unusable here
     * @param problem told why there is no usable config yet, before each retry
     * @param stop    counted down to give up
     * @return the config, or empty when {@code stop} came first (or the thread was interrupted)
     */
    static Optional<NetworkConfig> await(Store store, Consumer<NetworkConfig> check, Consumer<String> problem,
            CountDownLatch stop) {
        Backoff backoff = new Backoff(FIRST_RETRY, MAX_RETRY);
        String lastProblem = null;
        while (stop.getCount() > 0) {
            try {
                NetworkConfig cfg = NetworkConfigParser.parse(store.readNetworkConfig());
                check.accept(cfg);
                LOG.info("network config network={} subnetLen={} subnetMin={} subnetMax={} backend={}", cfg.network(),
                        cfg.subnetLen(), cfg.subnetMin(), cfg.subnetMax(), cfg.backend().type());
                return Optional.of(cfg);
            } catch (WeftException e) {
                problem.accept("waiting for network config: " + e.getMessage());
                if (!e.getMessage().equals(lastProblem)) {
                    LOG.warn("no usable network config yet error=\"{}\"; retrying every {}s at most", e.getMessage(),
                            MAX_RETRY.toSeconds());
                    lastProblem = e.getMessage();
                }
            }
            try {
                if (stop.await(backoff.next().toMillis(), TimeUnit.MILLISECONDS)) {
                    return Optional.empty();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
