package io.weft.it.lab;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.awaitility.Awaitility;

/**
 * One lab host: a namespace with {@code eth0} on the underlay, where a weft daemon and test commands run.
 * Made by {@link Lab}; not thread-safe.
 */
public final class LabHost {
    private final Lab lab;
    private final String name;
    private final String namespace;
    private final String address;
    private final Path dir;
    private LabProcess daemon;
    private int starts;

    LabHost(Lab lab, String name, String namespace, String address) {
        this.lab = lab;
        this.name = name;
        this.namespace = namespace;
        this.address = address;
        this.dir = lab.work().resolve(name);
    }

    public String name() {
        return name;
    }

    public String namespace() {
        return namespace;
    }

    /** The underlay address, 198.18.0.N. */
    public String address() {
        return address;
    }

    public Path subnetFile() {
        return dir.resolve("subnet.env");
    }

    /** Where this host's daemon serves CNI calls ({@code --cni-socket}), in its work directory. */
    public Path cniSocket() {
        return dir.resolve("cni.sock");
    }

    /**
     * Starts {@code bin/weft daemon} against the lab's etcd on {@code eth0}, with a 64 MB heap, serving CNI
     * calls on {@link #cniSocket()} (never the machine's /run/weft/cni.sock; a later flag wins).
     *
     * @param extraArgs more daemon flags
     */
    public LabProcess startDaemon(String... extraArgs) {
        return startDaemon(Map.of(), extraArgs);
    }

    /**
     * As {@link #startDaemon(String...)}, with more environment variables for the daemon, e.g. a per-host
     * {@code WEFT_IPSEC_STATE_DIR}.
     */
    public LabProcess startDaemon(Map<String, String> env, String... extraArgs) {
        if (daemon != null && daemon.isAlive()) {
            throw new IllegalStateException(name + " already runs a daemon");
        }
        List<String> cmd = new ArrayList<>(List.of("env", "WEFT_JAVA_OPTS=-Xmx64m"));
        new java.util.TreeMap<>(env).forEach((k, v) -> cmd.add(k + "=" + v));
        cmd.addAll(List.of(lab.root().resolve("bin/weft").toString(), "daemon", "--etcd-endpoints", lab.etcdEndpoint(),
                "--iface", "eth0", "--subnet-file", subnetFile().toString(), "--iptables-forward-rules=false",
                "--cni-socket", cniSocket().toString()));
        cmd.addAll(List.of(extraArgs));
        daemon = lab.start(name + "-weft", namespace, cmd, dir.resolve("weft-" + (++starts) + ".log"));
        return daemon;
    }

    /** This host's own directory in the lab's work directory (logs, subnet.env), for per-host state. */
    public Path workDir() {
        return dir;
    }

    public Optional<LabProcess> daemon() {
        return Optional.ofNullable(daemon);
    }

    /** Stops the daemon with SIGTERM; returns its exit code. */
    public int stopDaemon() {
        int code = daemon.stop(Duration.ofSeconds(10));
        lab.forget(daemon);
        return code;
    }

    /** Kills the daemon with SIGKILL, as a crash would. */
    public void killDaemon() {
        daemon.kill();
        lab.forget(daemon);
    }

    /** subnet.env as a map, if written. */
    public Map<String, String> subnetEnv() {
        Map<String, String> env = new HashMap<>();
        try {
            for (String line : Files.readAllLines(subnetFile())) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    env.put(line.substring(0, eq), line.substring(eq + 1));
                }
            }
        } catch (IOException e) {
            return Map.of();
        }
        return env;
    }

    /**
     * Waits until the daemon has written {@code FLANNEL_SUBNET} to subnet.env, failing with the daemon's output
     * if it exits first.
     */
    public void awaitSubnetEnv(Duration within) {
        LabProcess d = daemon().orElseThrow(() -> new IllegalStateException(name + " runs no daemon"));
        Awaitility.await(this + " writes subnet.env").atMost(within).pollInterval(Duration.ofMillis(50))
                .until(() -> subnetEnv().containsKey("FLANNEL_SUBNET") || !d.isAlive());
        if (!d.isAlive()) {
            throw new AssertionError(this + " daemon exited: " + d.output());
        }
    }

    /** As {@link #awaitSubnetEnv(Duration)}, within {@link Lab#STARTUP}. */
    public void awaitSubnetEnv() {
        awaitSubnetEnv(Lab.STARTUP);
    }

    /**
     * Starts the daemon again and waits until it says ready (subnet.env is already there from the last run), failing
     * with its output if it exits first.
     */
    public void restartDaemon() {
        LabProcess d = startDaemon();
        Awaitility.await(name + " ready again").atMost(Lab.STARTUP).pollInterval(Duration.ofMillis(50))
                .until(() -> d.output().contains(" ready subnet=") || !d.isAlive());
        if (!d.isAlive()) {
            throw new AssertionError(this + " daemon exited: " + d.output());
        }
    }

    /** This host's overlay subnet from subnet.env, e.g. {@code 100.96.34.0/24}. */
    public String subnet() {
        String s = subnetEnv().get("FLANNEL_SUBNET");
        if (s == null) {
            throw new AssertionError(name + " has no FLANNEL_SUBNET in " + subnetFile());
        }
        String[] parts = s.split("/");
        String[] octets = parts[0].split("\\.");
        return octets[0] + "." + octets[1] + "." + octets[2] + ".0/" + parts[1];
    }

    /** The etcd key of this host's lease, from its subnet in subnet.env. */
    public String leaseKey() {
        return "/coreos.com/network/subnets/" + subnet().replace('/', '-');
    }

    /** The TUN device address: the subnet's network address. */
    public String overlayAddress() {
        return subnet().split("/")[0];
    }

    /** Runs a command in this host's namespace. */
    public Command.Result exec(Duration timeout, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", namespace));
        cmd.addAll(List.of(command));
        return Command.run(timeout, cmd);
    }

    public Command.Result exec(String... command) {
        return exec(Duration.ofSeconds(30), command);
    }

    /** One ping with a 1 s deadline. */
    public boolean ping(String destination) {
        return exec(Duration.ofSeconds(5), "ping", "-n", "-c", "1", "-W", "1", destination).ok();
    }

    /**
     * Pings {@code destination} once every 100 ms until a reply comes, printing the last attempt's output if none
     * does within {@code within}.
     */
    public void awaitPing(String destination, Duration within) {
        String[] last = {""};
        Awaitility.await(name + " pings " + destination).atMost(within).pollInterval(Duration.ofMillis(100))
                .conditionEvaluationListener(c -> {
                    if (!c.isSatisfied() && c.getRemainingTimeInMS() < 200) {
                        System.err.println("last ping from " + name + " to " + destination + ": " + last[0]);
                    }
                })
                .until(() -> {
                    Command.Result r = exec(Duration.ofSeconds(5), "ping", "-n", "-c", "1", "-W", "1", destination);
                    last[0] = r.output();
                    return r.ok();
                });
    }

    /** Starts a long-running command in this namespace; the lab stops it on close. */
    public LabProcess start(String processName, String... command) {
        return lab.start(name + "-" + processName, namespace, List.of(command),
                dir.resolve(processName + ".log"));
    }

    /** {@code bin/weft ARGS} with a 64 MB heap from inside the namespace, within 60 s. */
    public Command.Result weft(String... args) {
        List<String> cmd = new ArrayList<>(List.of("env", "WEFT_JAVA_OPTS=-Xmx64m",
                lab.root().resolve("bin/weft").toString()));
        cmd.addAll(List.of(args));
        return exec(Duration.ofSeconds(60), cmd.toArray(String[]::new));
    }

    /** {@code weft status -o json} from inside the namespace. */
    public Command.Result status() {
        return weft("status", "-o", "json");
    }

    /**
     * The daemon's {@code /metrics} as parsed by the Prometheus client's text parser, one entry per sample, keyed
     * like {@code weft_packets_total{direction=tx}} (labels sorted by name).
     */
    public Map<String, Double> metrics() {
        Command.Result r = exec(Duration.ofSeconds(10), "/usr/bin/python3", "-c", "import urllib.request\n"
                + "from prometheus_client.parser import text_string_to_metric_families\n"
                + "text = urllib.request.urlopen('http://127.0.0.1:8286/metrics', timeout=5).read().decode()\n"
                + "for f in text_string_to_metric_families(text):\n"
                + "    for s in f.samples:\n"
                + "        labels = ','.join(k + '=' + v for k, v in sorted(s.labels.items()))\n"
                + "        print(s.name + ('{' + labels + '}' if labels else ''), s.value)\n").orFail();
        Map<String, Double> out = new HashMap<>();
        for (String line : r.output().lines().toList()) {
            int sp = line.lastIndexOf(' ');
            out.put(line.substring(0, sp), Double.parseDouble(line.substring(sp + 1)));
        }
        return out;
    }

    /** A counter of the TUN device from sysfs, e.g. {@code rx_packets}. */
    public long deviceCounter(String device, String counter) {
        return Long.parseLong(exec("cat", "/sys/class/net/" + device + "/statistics/" + counter).orFail().output()
                .strip());
    }

    @Override
    public String toString() {
        return name + " (" + namespace + ", " + address + ")";
    }
}
