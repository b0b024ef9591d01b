package io.weft.it.scale;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * {@code scripts/bench-scale}'s measuring part: a cold start of N simulated hosts ({@link ScaleCluster}) on the etcd
 * the script started, then the propagation of new leases to every watcher, etcd's request rate in steady state
 * (from etcd's own {@code /metrics}), and one watcher's heap per peer in a child JVM with the daemon's
 * {@code -Xmx64m} ({@link ScaleWatcherProbe}). Prints one line per figure and ends with the summary line.
 *
 * <p>Usage: {@code ScaleBench --endpoint URL --hosts N [--clients K] [--probes P] [--steady-seconds S]}.
 */
public final class ScaleBench {
    private static final Set<String> WRITES = Set.of("Put", "Txn", "DeleteRange", "LeaseGrant", "LeaseRevoke", "Compact");
    private static final Pattern UNARY = Pattern.compile(
            "(?m)^grpc_server_handled_total\\{grpc_code=\"[^\"]+\",grpc_method=\"([^\"]+)\",grpc_service=\"etcdserverpb\\.[^\"]+\",grpc_type=\"unary\"} (\\S+)$");
    private static final Pattern WATCH_MSGS = Pattern.compile(
            "(?m)^grpc_server_msg_(received|sent)_total\\{grpc_method=\"Watch\",grpc_service=\"etcdserverpb\\.Watch\",[^}]*} (\\S+)$");

    private ScaleBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i], args[i + 1]);
        }
        String endpoint = a.get("--endpoint");
        int hosts = Integer.parseInt(a.getOrDefault("--hosts", "1000"));
        int clients = Integer.parseInt(a.getOrDefault("--clients", "8"));
        int probes = Integer.parseInt(a.getOrDefault("--probes", "50"));
        int steadySeconds = Integer.parseInt(a.getOrDefault("--steady-seconds", "20"));
        String prefix = "/weft-scale-" + UUID.randomUUID() + "/network";

        System.out.printf("scale: hosts=%d clients=%d (jetcd clients shared round-robin by the hosts' keepers and "
                + "watchers) threads=%d network=100.64.0.0/10 in /24s (16,383 subnets) etcd=%s%n", hosts, clients,
                2 * hosts, endpoint);
        try (ScaleCluster cluster = new ScaleCluster(endpoint, prefix, hosts, clients)) {
            double etcdCpu0 = etcdCpuSeconds(endpoint);
            double ownCpu0 = ownCpuSeconds();
            long start = System.nanoTime();
            cluster.start();
            Duration allocate = cluster.awaitLeases(Duration.ofSeconds(600));
            double etcdCpu1 = etcdCpuSeconds(endpoint);
            double ownCpu1 = ownCpuSeconds();
            int duplicates = cluster.duplicateSubnets();
            var stored = cluster.storedLeases();
            int storedHosts = stored.stream().map(l -> l.attrs().publicIp()).collect(Collectors.toSet()).size();
            System.out.printf("allocate: all %d hosts hold a lease %.2f s after a cold start (all at once)%n", hosts,
                    allocate.toMillis() / 1000.0);
            System.out.printf("cpu used until then: etcd %.1f s, the hosts' JVM %.1f s (on two otherwise idle cores the "
                    + "cold start takes at least half their sum)%n", etcdCpu1 - etcdCpu0, ownCpu1 - ownCpu0);
            System.out.printf("duplicates: %d (subnets held by two hosts); etcd holds %d leases of %d hosts%n",
                    duplicates, stored.size(), storedHosts);
            System.out.printf("retries: %d lost races in all (%.4f per host); %d hosts started again after a failed "
                    + "first acquisition%n", cluster.lostRaces(), cluster.lostRaces() / (double) hosts, cluster.restarts());

            long watchersStart = System.nanoTime();
            cluster.startWatchers();
            long convergeDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(600);
            while (cluster.convergedWatchers() < hosts && System.nanoTime() < convergeDeadline) {
                Thread.sleep(100);
            }
            double converged = (System.nanoTime() - watchersStart) / 1e9;
            System.out.printf("watchers: %d of %d know all %d peers %.2f s after they started (%d at a time read their "
                    + "first listing); watch streams opened %d "
                    + "(%d recoveries); peer batches %d (%.1f per watcher for %d peers, each a route-table rebuild in a daemon)%n",
                    cluster.convergedWatchers(), hosts, hosts - 1, converged, ScaleCluster.SYNCING, cluster.watchOpens(),
                    cluster.watchRecoveries(), cluster.peerBatches(), cluster.peerBatches() / (double) hosts, hosts - 1);

            double ttlReadsBefore = unaryByMethod(endpoint).getOrDefault("LeaseTimeToLive", 0.0);
            List<Long> millis = new ArrayList<>();
            for (int p = 0; p < probes; p++) {
                millis.add(cluster.propagate(p, Duration.ofSeconds(60)).toMillis());
            }
            Collections.sort(millis);
            long p50 = percentile(millis, 50);
            long p99 = percentile(millis, 99);
            double ttlReads = unaryByMethod(endpoint).getOrDefault("LeaseTimeToLive", 0.0) - ttlReadsBefore;
            System.out.printf("propagate: %d new leases, creation to arrival at all %d watchers: p50 %d ms, p99 %d ms, "
                    + "max %d ms; etcd LeaseTimeToLive calls meanwhile %.0f (a watcher reads no peer's expiry)%n", probes,
                    hosts, p50, p99, millis.get(millis.size() - 1), ttlReads);

            Map<String, Double> before = unaryByMethod(endpoint);
            double watchBefore = watchMessages(endpoint);
            long t0 = System.nanoTime();
            Thread.sleep(steadySeconds * 1000L);
            double seconds = (System.nanoTime() - t0) / 1e9;
            Map<String, Double> after = unaryByMethod(endpoint);
            double watchAfter = watchMessages(endpoint);
            double unary = 0;
            double writes = 0;
            for (Map.Entry<String, Double> e : after.entrySet()) {
                double d = e.getValue() - before.getOrDefault(e.getKey(), 0.0);
                unary += d;
                if (WRITES.contains(e.getKey())) {
                    writes += d;
                }
            }
            double renewalsPerSecond = hosts / (double) Duration.ofHours(23).toSeconds();
            System.out.printf("steady state (%.0f s, no lease changing): etcd requests %.2f/s (unary %.2f/s, of which "
                    + "writes %.2f/s; watch stream messages %.2f/s); writes per host per hour %.4f; renewals (TTL 24 h, "
                    + "renewed 1 h before) %.3f/s = 2 writes each (grant, txn) + 1 revoke%n",
                    seconds, (unary + watchAfter - watchBefore) / seconds, unary / seconds, writes / seconds,
                    (watchAfter - watchBefore) / seconds, writes / seconds * 3600 / hosts, renewalsPerSecond);

            String probe = heapProbe(endpoint, prefix, hosts);
            System.out.println("heap: one watcher holding every peer in a JVM with -Xmx64m: " + probe);

            System.out.printf("hosts=%d leases=%d duplicates=%d allocate_s=%.2f propagate_p99_ms=%d%n", hosts,
                    stored.size(), duplicates, allocate.toMillis() / 1000.0, p99);
        }
    }

    private static double etcdCpuSeconds(String endpoint) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("(?m)^process_cpu_seconds_total (\\S+)$").matcher(metrics(endpoint));
        return m.find() ? Double.parseDouble(m.group(1)) : Double.NaN;
    }

    private static double ownCpuSeconds() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime() / 1e9;
    }

    private static long percentile(List<Long> sorted, int p) {
        int i = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, Math.min(sorted.size() - 1, i)));
    }

    private static String metrics(String endpoint) throws IOException, InterruptedException {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(endpoint + "/metrics"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
    }

    private static Map<String, Double> unaryByMethod(String endpoint) throws IOException, InterruptedException {
        Map<String, Double> out = new HashMap<>();
        Matcher m = UNARY.matcher(metrics(endpoint));
        while (m.find()) {
            out.merge(m.group(1), Double.parseDouble(m.group(2)), Double::sum);
        }
        return out;
    }

    private static double watchMessages(String endpoint) throws IOException, InterruptedException {
        double sum = 0;
        Matcher m = WATCH_MSGS.matcher(metrics(endpoint));
        while (m.find()) {
            sum += Double.parseDouble(m.group(2));
        }
        return sum;
    }

    /** Runs {@link ScaleWatcherProbe} in a child JVM with -Xmx64m and returns its report line. */
    private static String heapProbe(String endpoint, String prefix, int peers) throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-Xmx64m", "-cp", System.getProperty("java.class.path"),
                "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", ScaleWatcherProbe.class.getName(), endpoint, prefix,
                String.valueOf(peers))
                .redirectErrorStream(true).start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                lines.add(line);
            }
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return "the probe did not finish within 180 s";
        }
        String report = lines.stream().filter(l -> l.startsWith("probe ")).findFirst().orElse(String.join(" | ", lines));
        return p.exitValue() == 0 ? report : "FAILED (exit " + p.exitValue() + "): " + report;
    }
}
