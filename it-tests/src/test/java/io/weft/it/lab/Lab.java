package io.weft.it.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.awaitility.Awaitility;

/**
 * A throw-away multi-host network built from network namespaces, for end-to-end tests of real weft
 * processes. Every namespace is named after the test ({@code weft-<test>-<role>}): a bridge namespace
 * joins each host's {@code eth0} (a veth pair created directly across namespaces, never in the root one)
 * on the underlay {@link #UNDERLAY} {@code 198.18.0.0/24}; etcd runs as a process in a namespace of its
 * own. {@link #close()} stops every process it started (by PID, SIGTERM then SIGKILL), kills anything
 * still inside its namespaces, and deletes the namespaces and the work directory, also when the test
 * failed; namespaces left by an earlier run that was killed are deleted on creation.
 *
 * <p>Nothing is added to the root namespace. Needs root, iproute2 and (for {@link #startEtcd()}) Debian's
 * {@code etcd-server} and {@code etcd-client}. Not thread-safe: one test thread drives it.
 */
public final class Lab implements AutoCloseable {
    public static final String UNDERLAY = "198.18.0.0/24";
    public static final String OVERLAY = "100.96.0.0/16";
    /** How long a daemon may take from its start to subnet.env: a JVM start, etcd and the lease. */
    public static final Duration STARTUP = Duration.ofSeconds(90);
    static final String ETCD_ADDRESS = "198.18.0.250";
    private static final Duration GRACE = Duration.ofSeconds(8);

    private final String name;
    private final Path root;
    private final Path work;
    private final String bridge;
    private final List<String> namespaces = new ArrayList<>();
    private final List<LabProcess> processes = new ArrayList<>();
    private final List<LabHost> hosts = new ArrayList<>();
    private String etcdNamespace;
    private LabProcess etcd;

    /**
     * Creates the bridge namespace.
     *
     * @param testName the test's name; namespaces are named after it
     */
    public Lab(String testName) {
        this.name = shortName(testName);
        this.root = repositoryRoot();
        try {
            this.work = Files.createTempDirectory("weft-lab-" + name + "-");
        } catch (IOException e) {
            throw new AssertionError("cannot create the lab work directory: " + e.getMessage(), e);
        }
        this.bridge = namespace("br");
        ip("-n", bridge, "link", "add", "br0", "type", "bridge");
        ip("-n", bridge, "link", "set", "br0", "up");
        ip("-n", bridge, "link", "set", "lo", "up");
    }

    /**
     * Installs the Debian packages the lab runs (etcd, etcdctl, ping, iperf3) where missing, through the
     * repository's apt helper; quick when all are present.
     */
    public static void ensureTools() {
        Path helper = repositoryRoot().resolve("scripts/lib-apt.sh");
        Command.run(Duration.ofMinutes(15), List.of("bash", "-c", "source '" + helper
                + "' && weft_apt_install etcd-server etcd-client iputils-ping iperf3 iproute2")).orFail();
    }

    private static String shortName(String testName) {
        String s = testName.replaceAll("\\(.*", "").replaceAll("[^A-Za-z0-9]+", "-").toLowerCase(Locale.ROOT);
        return s.length() > 32 ? s.substring(0, 32) : s;
    }

    /** The checkout's root (the parent of it-tests), where bin/weft lives. */
    public static Path repositoryRoot() {
        Path dir = Path.of(System.getProperty("user.dir")).toAbsolutePath();
        return Files.exists(dir.resolve("bin/weft")) ? dir : dir.getParent();
    }

    public String name() {
        return name;
    }

    public Path work() {
        return work;
    }

    Path root() {
        return root;
    }

    /** Creates a namespace {@code weft-<test>-<role>} with loopback up, replacing a stale one. */
    String namespace(String role) {
        String ns = "weft-" + name + "-" + role;
        if (Files.exists(Path.of("/run/netns", ns))) {
            killInside(ns);
            Command.run("ip", "netns", "del", ns);
        }
        ip("netns", "add", ns);
        namespaces.add(ns);
        ip("-n", ns, "link", "set", "lo", "up");
        return ns;
    }

    /**
     * Adds a namespace joined to the bridge with {@code eth0} at {@code 198.18.0.<index>/24}.
     *
     * @param role the namespace's role, also its bridge port name (at most 15 characters)
     */
    String attach(String role, int index) {
        return attach(role, index, 24);
    }

    /** As {@link #attach(String, int)}, with {@code eth0}'s address at {@code 198.18.0.<index>/<prefixLength>}. */
    String attach(String role, int index, int prefixLength) {
        String ns = namespace(role);
        ip("-n", ns, "link", "add", "eth0", "type", "veth", "peer", "name", role, "netns", bridge);
        ip("-n", ns, "addr", "add", "198.18.0." + index + "/" + prefixLength, "dev", "eth0");
        ip("-n", ns, "link", "set", "eth0", "up");
        ip("-n", bridge, "link", "set", role, "master", "br0");
        ip("-n", bridge, "link", "set", role, "up");
        return ns;
    }

    /** A new host {@code h<index>} at underlay address {@code 198.18.0.<index>}. */
    public LabHost addHost(int index) {
        LabHost host = new LabHost(this, "h" + index, attach("h" + index, index), "198.18.0." + index);
        hosts.add(host);
        return host;
    }

    /**
     * A new host {@code h<index>} on the same bridge whose {@code eth0} has a longer prefix, e.g. 25: to it the
     * other hosts are on another L2 subnet (for host-gw's refusal).
     */
    public LabHost addHost(int index, int prefixLength) {
        LabHost host = new LabHost(this, "h" + index, attach("h" + index, index, prefixLength), "198.18.0." + index);
        hosts.add(host);
        return host;
    }

    /** A namespace on the underlay that runs no weft, e.g. to send as a stranger. */
    public LabHost addBystander(String role, int index) {
        return new LabHost(this, role, attach(role, index), "198.18.0." + index);
    }

    public List<LabHost> hosts() {
        return List.copyOf(hosts);
    }

    /**
     * Adds hosts {@code h<index>}, starts each one's daemon with {@code flags}, then waits until each has written
     * subnet.env.
     */
    public List<LabHost> startHosts(String[] flags, int... indexes) {
        return startHosts(h -> h.startDaemon(flags), indexes);
    }

    /** As {@link #startHosts(String[], int...)}, with no more daemon flags. */
    public List<LabHost> startHosts(int... indexes) {
        return startHosts(new String[0], indexes);
    }

    /** As {@link #startHosts(String[], int...)}, each daemon started by {@code start} (e.g. with its environment). */
    public List<LabHost> startHosts(Consumer<LabHost> start, int... indexes) {
        List<LabHost> started = new ArrayList<>();
        for (int i : indexes) {
            LabHost h = addHost(i);
            start.accept(h);
            started.add(h);
        }
        started.forEach(LabHost::awaitSubnetEnv);
        return started;
    }

    /** Runs {@code check} for every ordered pair of distinct hosts, e.g. a ping each way between all of them. */
    public static void forEveryPair(List<LabHost> hosts, BiConsumer<LabHost, LabHost> check) {
        for (LabHost from : hosts) {
            for (LabHost to : hosts) {
                if (from != to) {
                    check.accept(from, to);
                }
            }
        }
    }

    /** As {@link #joinHost(int, List, Duration, Consumer)}, pinging the new host as it is. */
    public LabHost joinHost(int index, List<LabHost> others, Duration within) throws Exception {
        return joinHost(index, others, within, h -> { });
    }

    /**
     * Adds host {@code h<index>} to the running overlay, its daemon started with {@code --revoke-lease-on-exit} (so a
     * test can then see it leave for good), and fails unless each of {@code others} gets a ping reply from its
     * overlay address within {@code within} of its subnet.env appearing. Each of them pings on its own thread with a
     * 250 ms reply timeout, so one early miss (before either host knows the other) costs 250 ms, not 1 s; each for at
     * most 10 s. The times are printed.
     *
     * @param prepare runs on the new host once it has written subnet.env, before the pings (host-gw gives it an
     *                address to answer on)
     */
    public LabHost joinHost(int index, List<LabHost> others, Duration within, Consumer<LabHost> prepare)
            throws Exception {
        LabHost joining = addHost(index);
        joining.startDaemon("--revoke-lease-on-exit");
        Awaitility.await(joining.name() + " subnet.env").atMost(STARTUP).pollInterval(Duration.ofMillis(20))
                .until(() -> joining.subnetEnv().containsKey("FLANNEL_SUBNET"));
        long leaseSeen = Files.getLastModifiedTime(joining.subnetFile()).toMillis();
        prepare.accept(joining);
        String target = joining.overlayAddress();
        Map<String, Long> reachedAfter = new ConcurrentHashMap<>();
        List<Thread> pingers = others.stream().map(h -> new Thread(() -> {
            long deadline = System.currentTimeMillis() + 10_000;
            while (System.currentTimeMillis() < deadline) {
                if (h.exec(Duration.ofSeconds(5), "ping", "-n", "-c", "1", "-W", "0.25", target).ok()) {
                    reachedAfter.put(h.name(), System.currentTimeMillis() - leaseSeen);
                    return;
                }
            }
        }, "pinger-" + h.name())).toList();
        pingers.forEach(Thread::start);
        for (Thread t : pingers) {
            t.join(15_000);
        }
        System.out.println(name + ": " + joining.name() + " reached after (ms): " + reachedAfter);
        if (reachedAfter.size() != others.size()) {
            throw new AssertionError("every host reached " + joining.name() + ": " + reachedAfter);
        }
        reachedAfter.forEach((host, millis) -> {
            if (millis > within.toMillis()) {
                throw new AssertionError(host + " reached " + joining.name() + " " + millis
                        + " ms after its lease appeared");
            }
        });
        return joining;
    }

    /** Starts etcd (Debian's etcd-server) in its own namespace and waits until it is healthy. */
    public void startEtcd() {
        if (etcdNamespace == null) {
            etcdNamespace = attach("etcd", 250);
        }
        String client = etcdEndpoint();
        etcd = start("etcd", etcdNamespace, List.of("etcd", "--name", "lab", "--data-dir",
                work.resolve("etcd-data").toString(), "--listen-client-urls", client + ",http://127.0.0.1:2379",
                "--advertise-client-urls", client, "--listen-peer-urls", "http://127.0.0.1:2380",
                "--initial-advertise-peer-urls", "http://127.0.0.1:2380", "--initial-cluster",
                "lab=http://127.0.0.1:2380", "--log-level", "warn"), work.resolve("etcd.log"));
        Awaitility.await("etcd healthy").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> etcdctl("endpoint", "health").ok());
    }

    /** Stops etcd (SIGTERM); {@link #startEtcd()} starts it again on the same data. */
    public void stopEtcd() {
        if (etcd != null) {
            etcd.stop(GRACE);
            processes.remove(etcd);
            etcd = null;
        }
    }

    public String etcdEndpoint() {
        return "http://" + ETCD_ADDRESS + ":2379";
    }

    /** Runs etcdctl (API v3) against the lab's etcd, from etcd's namespace. */
    public Command.Result etcdctl(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", etcdNamespace, "env", "ETCDCTL_API=3",
                "etcdctl", "--endpoints", "http://127.0.0.1:2379", "--dial-timeout", "2s", "--command-timeout", "5s"));
        cmd.addAll(List.of(args));
        return Command.run(Duration.ofSeconds(20), cmd);
    }

    /** Stores the network config at flannel's default key. */
    public void putNetworkConfig(String json) {
        etcdctl("put", "/coreos.com/network/config", json).orFail();
    }

    /** Starts etcd with {@code networkConfig} stored: the first step of every overlay in the lab. */
    public void startEtcd(String networkConfig) {
        startEtcd();
        putNetworkConfig(networkConfig);
    }

    /**
     * The network config for {@link #OVERLAY} in /24 subnets with {@code backend} as its Backend section, e.g.
     * {@code {"Type":"udp"}}.
     */
    public static String networkConfig(String backend) {
        return "{\"Network\":\"" + OVERLAY + "\",\"SubnetLen\":24,\"Backend\":" + backend + "}";
    }

    /** {@code h}'s lease value as stored in etcd. */
    public String leaseValue(LabHost h) {
        return etcdctl("get", h.leaseKey(), "--print-value-only").orFail().output().strip();
    }

    /** Starts a long-running command inside {@code ns}; the lab stops it on close. */
    LabProcess start(String processName, String ns, List<String> command, Path log) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(command);
        LabProcess p = new LabProcess(processName, cmd, log);
        processes.add(p);
        return p;
    }

    void forget(LabProcess p) {
        processes.remove(p);
    }

    private static void ip(String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip"));
        cmd.addAll(List.of(args));
        Command.run(Duration.ofSeconds(20), cmd).orFail();
    }

    /** Each host's addresses, routes, device counters and weft status, for a failed test's report. */
    public String diagnostics() {
        StringBuilder out = new StringBuilder();
        for (LabHost h : hosts) {
            out.append("----- ").append(h).append('\n');
            for (List<String> cmd : List.of(List.of("ip", "-br", "addr"), List.of("ip", "route"),
                    List.of("ip", "-s", "link", "show", "weft0"), List.of("ip", "-d", "link", "show", "flannel.1"),
                    List.of("ip", "neigh"), List.of("bridge", "fdb", "show", "dev", "flannel.1"), List.of("ss", "-uanp"))) {
                out.append("$ ").append(String.join(" ", cmd)).append('\n')
                        .append(h.exec(cmd.toArray(String[]::new)).output());
            }
            if (h.daemon().map(LabProcess::isAlive).orElse(false)) {
                out.append("$ weft status -o json\n").append(h.status().output()).append('\n');
            }
        }
        return out.toString();
    }

    /** Every log the lab's processes wrote, for a failed test's report. */
    public String logs() {
        StringBuilder out = new StringBuilder();
        try (Stream<Path> files = Files.walk(work)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".log")).sorted().toList()) {
                List<String> lines = Files.readAllLines(f);
                out.append("----- ").append(work.relativize(f)).append(" (last 60 lines)\n");
                lines.subList(Math.max(0, lines.size() - 60), lines.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(logs unreadable: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }

    private static void killInside(String ns) {
        for (String pid : Command.run("ip", "netns", "pids", ns).output().split("\\s+")) {
            if (pid.matches("\\d+")) {
                ProcessHandle.of(Long.parseLong(pid)).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    /** Stops every process, deletes every namespace and the work directory. Safe to call twice. */
    @Override
    public void close() {
        for (int i = processes.size() - 1; i >= 0; i--) {
            processes.get(i).stop(GRACE);
        }
        processes.clear();
        for (int i = namespaces.size() - 1; i >= 0; i--) {
            String ns = namespaces.get(i);
            killInside(ns);
            Command.Result r = Command.run("ip", "netns", "del", ns);
            if (!r.ok() && Files.exists(Path.of("/run/netns", ns))) {
                System.err.println("lab: could not delete namespace " + ns + ": " + r.output());
            }
        }
        namespaces.clear();
        try (Stream<Path> files = Files.walk(work)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            System.err.println("lab: could not delete " + work + ": " + e.getMessage());
        }
    }
}
