package io.weft.core.daemon;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.ops.DaemonMetrics;
import io.weft.core.ops.StatusJson;
import io.weft.core.spi.backend.NetworkStats;
import java.util.Map;
import java.util.Optional;

/**
 * What the daemon shows of itself: readiness, the lease, the peers, the data path's counters, the metrics
 * and the {@code /status} document, read from the running parts at the time of asking. Before the daemon
 * has joined the network every view is empty. Thread-safe: the HTTP thread reads what the daemon's start
 * publishes through a volatile field.
 */
final class DaemonView {
    private final Readiness readiness;
    private final DaemonMetrics metrics;
    /** Known once read, before the host has joined. */
    private volatile NetworkConfig config;
    private volatile RunningHost host;

    DaemonView(Readiness readiness) {
        this.readiness = readiness;
        this.metrics = new DaemonMetrics(
                () -> currentLease().isPresent() ? 1 : 0,
                this::secondsToExpiry,
                () -> peers().size(),
                this::stats,
                () -> host == null ? 0 : host.watcher().recoveries(),
                () -> host == null ? 0 : host.keeper().failures(),
                () -> host == null ? 0 : host.watcher().renewals(),
                () -> host == null ? 0 : host.watcher().watchOpens(),
                () -> host == null ? 0 : host.watcher().peerBatches());
    }

    DaemonMetrics metrics() {
        return metrics;
    }

    void config(NetworkConfig config) {
        this.config = config;
    }

    /** The host has joined: from now on the views read its parts. */
    void joined(RunningHost running) {
        host = running;
    }

    Optional<NetworkConfig> config() {
        return Optional.ofNullable(config);
    }

    Optional<Lease> currentLease() {
        RunningHost h = host;
        return h == null ? Optional.empty() : h.keeper().current();
    }

    Map<Ipv4Subnet, Lease> peers() {
        RunningHost h = host;
        return h == null ? Map.of() : h.watcher().peers();
    }

    NetworkStats stats() {
        RunningHost h = host;
        return h == null ? NetworkStats.NONE : h.network().stats();
    }

    Optional<String> notReadyReason() {
        return readiness.notReadyReason(() -> {
            if (currentLease().isEmpty()) {
                return Optional.of("no lease held");
            }
            return host.network().isUp() ? Optional.empty() : Optional.of("data path not up");
        });
    }

    /** By the monotonic clock the keeper times the lease with, so a step of the wall clock does not show. */
    private double secondsToExpiry() {
        RunningHost h = host;
        Optional<Lease> l = currentLease();
        if (h == null || l.isEmpty()) {
            return Double.NaN;
        }
        return h.keeper().timeLeft().map(left -> left.toMillis() / 1000.0).orElse(Double.POSITIVE_INFINITY);
    }

    String statusJson() {
        RunningHost h = host;
        return StatusJson.render(currentLease().orElse(null), config, h == null ? 0 : h.mtu(),
                h == null ? null : h.underlay(), readiness.isReady(), peers(), stats());
    }
}
