package io.weft.core.ops;

import io.prometheus.metrics.core.metrics.CounterWithCallback;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.Unit;
import io.weft.core.spi.backend.NetworkStats;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The daemon's Prometheus metrics, in a registry of its own (never the global default). Most values are
 * read from the daemon's parts at scrape time; only the route latency is observed as it happens.
 * Thread-safe.
 */
public final class DaemonMetrics {
    private final PrometheusRegistry registry = new PrometheusRegistry();
    private final PrometheusTextFormatWriter writer = PrometheusTextFormatWriter.create();
    private final Histogram routeLatency;

    /**
     * @param leaseHeld         1 while a lease is held, else 0
     * @param leaseExpirySeconds seconds until the lease expires (+Inf for a reservation, NaN for none)
     * @param peers             the number of peers
     * @param stats             the data path's counters
     * @param storeReconnects   how often the store watch recovered after failing
     * @param renewFailures     how often a lease renewal or re-acquisition failed
     * @param peerRenewals      how many peer lease renewals (nothing but the expiry changed) were seen
     * @param watchOpens        how many times the lease watch was opened
     * @param peerBatches       how many batches of peer changes went to the data path
     */
    public DaemonMetrics(LongSupplier leaseHeld, DoubleSupplier leaseExpirySeconds, LongSupplier peers,
            Supplier<NetworkStats> stats, LongSupplier storeReconnects, LongSupplier renewFailures,
            LongSupplier peerRenewals, LongSupplier watchOpens, LongSupplier peerBatches) {
        GaugeWithCallback.builder().name("weft_lease_held").help("1 while this host holds its subnet lease")
                .callback(cb -> cb.call(leaseHeld.getAsLong())).register(registry);
        GaugeWithCallback.builder().name("weft_lease_expiry_seconds").unit(Unit.SECONDS)
                .help("Seconds until this host's lease expires (+Inf for a reservation)")
                .callback(cb -> cb.call(leaseExpirySeconds.getAsDouble())).register(registry);
        GaugeWithCallback.builder().name("weft_peers").help("Peers (other hosts' leases) known to this host")
                .callback(cb -> cb.call(peers.getAsLong())).register(registry);
        CounterWithCallback.builder().name("weft_packets").help("Overlay packets forwarded, by direction")
                .labelNames("direction").callback(cb -> {
                    NetworkStats s = stats.get();
                    cb.call(s.txPackets(), "tx");
                    cb.call(s.rxPackets(), "rx");
                }).register(registry);
        CounterWithCallback.builder().name("weft_bytes").help("Overlay bytes forwarded, by direction")
                .labelNames("direction").callback(cb -> {
                    NetworkStats s = stats.get();
                    cb.call(s.txBytes(), "tx");
                    cb.call(s.rxBytes(), "rx");
                }).register(registry);
        GaugeWithCallback.builder().name("weft_offload_enabled")
                .help("1 for each offload the data path runs with (e.g. tso4, udp-gso, udp-gro)")
                .labelNames("offload").callback(cb -> {
                    for (String o : stats.get().offloads()) {
                        cb.call(1, o);
                    }
                }).register(registry);
        CounterWithCallback.builder().name("weft_queue_packets").help("Overlay packets forwarded, by queue and direction")
                .labelNames("queue", "direction").callback(cb -> {
                    List<NetworkStats.QueueStats> queues = stats.get().queues();
                    for (int q = 0; q < queues.size(); q++) {
                        cb.call(queues.get(q).txPackets(), Integer.toString(q), "tx");
                        cb.call(queues.get(q).rxPackets(), Integer.toString(q), "rx");
                    }
                }).register(registry);
        CounterWithCallback.builder().name("weft_drops").help("Packets dropped, by reason")
                .labelNames("reason").callback(cb -> {
                    for (Map.Entry<String, Long> e : stats.get().drops().entrySet()) {
                        cb.call(e.getValue(), e.getKey());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("weft_repaired")
                .help("Kernel entries (route, neighbour, fdb) a kernel backend put back after someone else removed them")
                .labelNames("kind").callback(cb -> {
                    for (Map.Entry<String, Long> e : stats.get().repaired().entrySet()) {
                        cb.call(e.getValue(), e.getKey());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("weft_peer_key_changes")
                .help("Times a peer's published key changed while this host ran, by the peer's PublicIP")
                .labelNames("peer").callback(cb -> {
                    for (Map.Entry<String, Long> e : stats.get().keyChanges().entrySet()) {
                        cb.call(e.getValue(), e.getKey());
                    }
                }).register(registry);
        CounterWithCallback.builder().name("weft_store_reconnects").help("Times the store watch recovered after failing")
                .callback(cb -> cb.call(storeReconnects.getAsLong())).register(registry);
        CounterWithCallback.builder().name("weft_lease_renew_failures")
                .help("Failed lease renewals or re-acquisitions")
                .callback(cb -> cb.call(renewFailures.getAsLong())).register(registry);
        CounterWithCallback.builder().name("weft_peer_lease_renewals")
                .help("Peer lease renewals seen (only the expiry changed, so no route changed)")
                .callback(cb -> cb.call(peerRenewals.getAsLong())).register(registry);
        CounterWithCallback.builder().name("weft_watch_opens")
                .help("Times the lease watch was opened: once at start, again only after a failure, a compaction or a resync")
                .callback(cb -> cb.call(watchOpens.getAsLong())).register(registry);
        CounterWithCallback.builder().name("weft_peer_batches")
                .help("Batches of peer changes handed to the data path (each rebuilds its route table once)")
                .callback(cb -> cb.call(peerBatches.getAsLong())).register(registry);
        routeLatency = Histogram.builder().name("weft_peer_route_latency_seconds").unit(Unit.SECONDS)
                .help("Time from a peer's lease change reaching this host's watcher to its route being usable here")
                .classicUpperBounds(0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5)
                // Classic buckets only (the text format shows nothing else) and no exemplars (no tracer here):
                // either one starts the client's scheduler thread, which this daemon has no use for.
                .classicOnly().withoutExemplars()
                .register(registry);
    }

    /** Records how long a peer's route took to become usable after its lease change reached the watcher. */
    public void observeRouteLatency(double seconds) {
        routeLatency.observe(Math.max(0, seconds));
    }

    public String contentType() {
        return writer.getContentType();
    }

    public void write(OutputStream out) throws IOException {
        writer.write(out, registry.scrape());
    }
}
