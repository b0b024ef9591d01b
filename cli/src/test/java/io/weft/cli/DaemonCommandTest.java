package io.weft.cli;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.spi.backend.BackendContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft daemon} end to end in this JVM with the alloc backend: no packets are sent, and the only
 * file written is the subnet file in a temp folder.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class DaemonCommandTest {
    private final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    @Test
    void runsWritesSubnetEnvReacquiresALostLeaseAndStopsCleanly() throws Exception {
        weft.shared.writeNetworkConfig("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        Path subnetFile = dir.resolve("subnet.env");
        CompletableFuture<CliHarness.Result> run = weft.start("daemon",
                "--store", "shared", "--iface", "lo", "--public-ip", "198.18.0.1", "--subnet-file", subnetFile.toString(),
                "--healthz-port", "0");

        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(subnetFile) || run.isDone());
        assertTrue(Files.exists(subnetFile), () -> "daemon ended: " + run.join());
        List<Lease> leases = weft.shared.listLeases().leases();
        assertEquals(1, leases.size());
        Ipv4Subnet subnet = leases.get(0).subnet();
        assertEquals("198.18.0.1", leases.get(0).attrs().publicIp());
        assertEquals("alloc", leases.get(0).attrs().backendType());
        String env = Files.readString(subnetFile);
        assertTrue(env.matches("FLANNEL_NETWORK=100\\.96\\.0\\.0/16\nFLANNEL_SUBNET=100\\.96\\.\\d+\\.1/24\n"
                + "FLANNEL_MTU=\\d+\nFLANNEL_IPMASQ=false\n"), env);
        assertTrue(env.contains("FLANNEL_SUBNET=" + subnet.toString().replace(".0/24", ".1/24")), env);

        // An admin deletes the lease: the daemon takes the same subnet back instead of exiting.
        weft.shared.deleteLease(subnet);
        await().atMost(Duration.ofSeconds(20)).until(() -> weft.shared.listLeases().leases().stream()
                .anyMatch(l -> l.subnet().equals(subnet) && l.attrs().publicIp().equals("198.18.0.1")));
        assertTrue(!run.isDone(), "the daemon keeps running");

        assertEquals(1, weft.shutdownHooks().size());
        CliHarness.Result result = weft.stop(run);
        assertEquals(0, result.code(), result.err());
        assertEquals(1, weft.shared.listLeases().leases().size(), "the lease is kept for a restart");
    }

    @Test
    void revokeLeaseOnExitDeletesTheLeaseOnACleanStop() throws Exception {
        weft.shared.writeNetworkConfig("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        Path subnetFile = dir.resolve("subnet.env");
        CompletableFuture<CliHarness.Result> run = weft.start("daemon",
                "--store", "shared", "--iface", "lo", "--public-ip", "198.18.0.1", "--subnet-file", subnetFile.toString(),
                "--healthz-port", "0", "--revoke-lease-on-exit");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.exists(subnetFile) || run.isDone());
        assertEquals(1, weft.shared.listLeases().leases().size());
        assertEquals(0, weft.stop(run).code());
        assertTrue(weft.shared.listLeases().leases().isEmpty(), "the lease is revoked");
    }

    @Test
    void notifiesSystemdWhenReadyAndWhenStopping() throws Exception {
        try (NotifySocket socket = new NotifySocket(dir.resolve("notify.sock"), 2)) {
            weft.env.put("NOTIFY_SOCKET", socket.path().toString());
            weft.shared.writeNetworkConfig("{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
            CompletableFuture<CliHarness.Result> run = weft.start("daemon",
                    "--store", "shared", "--iface", "lo", "--public-ip", "198.18.0.1", "--subnet-file",
                    dir.resolve("subnet.env").toString(), "--healthz-port", "0");
            assertTrue(socket.next().startsWith("READY=1|"), "sent once the lease is held and subnet.env written");
            assertTrue(Files.exists(dir.resolve("subnet.env")));
            assertEquals(1, weft.shutdownHooks().size(), "the daemon registered its stop before starting");
            CliHarness.Result result = weft.stop(run);
            assertEquals("STOPPING=1", socket.next());
            assertEquals(0, result.code());
        }
    }

    @Test
    void aRestartReusesThePreviousSubnetFromSubnetEnv() throws Exception {
        Path subnetFile = dir.resolve("subnet.env");
        Files.writeString(subnetFile, "FLANNEL_NETWORK=100.96.0.0/16\nFLANNEL_SUBNET=100.96.77.1/24\n");
        Path config = Files.writeString(dir.resolve("net.json"),
                "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"alloc\"}}");
        CompletableFuture<CliHarness.Result> run = weft.start("daemon",
                "--store", "memory", "--net-config-path", config.toString(), "--iface", "lo", "--public-ip",
                "198.18.0.1", "--subnet-file", subnetFile.toString(), "--healthz-port", "0");
        await().atMost(Duration.ofSeconds(20)).until(() -> Files.readString(subnetFile).contains("FLANNEL_MTU") || run.isDone());
        assertTrue(Files.readString(subnetFile).contains("FLANNEL_SUBNET=100.96.77.1/24\n"), Files.readString(subnetFile));
        assertEquals(0, weft.stop(run).code());
    }

    @Test
    void startupErrorsAreOneLineWithExitCode1() throws IOException {
        Path missing = dir.resolve("missing.json");
        CliHarness.Result r = weft.run("daemon", "--store", "memory", "--net-config-path", missing.toString(),
                "--iface", "lo", "--subnet-file", dir.resolve("subnet.env").toString());
        assertEquals(1, r.code());
        assertEquals("weft: net-config-path " + missing + " does not exist: give the path of a network config JSON file\n",
                r.err());

        Path vxlan = Files.writeString(dir.resolve("wireguard.json"),
                "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"wireguard\"}}");
        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString(), "--iface", "lo",
                "--public-ip", "198.18.0.1", "--subnet-file", dir.resolve("subnet.env").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().matches("weft: backend \"wireguard\" not found; available: alloc(, [\\w-]+)*\\n"), r.err());

        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString(), "--iface", "no-such-if0");
        assertEquals("weft: iface no-such-if0 matches no interface with an IPv4 address: name an interface or address"
                + " from `ip addr`\n", r.err());

        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString(), "--iface", "lo",
                "--public-ip", "1.2.3", "--healthz-port", "0");
        assertEquals("weft: public-ip \"1.2.3\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0\n", r.err());

        r = weft.run("daemon", "--subnet-lease-renew-margin", "0");
        assertEquals("weft: subnet-lease-renew-margin 0 is out of range: give minutes from 1 to 1439\n", r.err());
        assertEquals(1, r.code());
        assertTrue(!Files.exists(dir.resolve("subnet.env")), "no subnet file is written on failure");

        r = weft.run("daemon", "--store", "memory");
        assertEquals(2, r.code());
        assertEquals("weft: --store memory needs --net-config-path FILE: the in-memory store has no other source for the"
                + " network config (see 'weft daemon --help')\n", r.err());

        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString(), "--iptables-resync", "0");
        assertEquals("weft: iptables-resync 0 is out of range: give a positive number of seconds\n", r.err());

        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString(), "--route-resync", "0");
        assertEquals("weft: route-resync 0 is out of range: give a positive number of seconds\n", r.err());
        weft.env.put("WEFT_ROUTE_RESYNC", "-5");
        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString());
        assertEquals("weft: route-resync -5 is out of range: give a positive number of seconds\n", r.err());
        weft.env.remove("WEFT_ROUTE_RESYNC");

        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString(), "--healthz-port", "70000");
        assertEquals("weft: healthz-port 70000 is out of range: give 1 to 65535, or 0 to turn the endpoint off\n", r.err());

        Path notDir = Files.writeString(dir.resolve("not-a-dir"), "");
        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString(), "--cni-socket",
                notDir.resolve("cni.sock").toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: cni-socket " + notDir.resolve("cni.sock") + " cannot be prepared: "), r.err());
        assertTrue(r.err().endsWith("; give --cni-socket a path in a writable directory, or '' to turn it off\n"), r.err());
        weft.env.put("WEFT_CNI_SOCKET", notDir.toString());
        r = weft.run("daemon", "--store", "memory", "--net-config-path", vxlan.toString());
        assertEquals("weft: cni-socket " + notDir + " exists and is not a socket: remove it, or give --cni-socket another"
                + " path\n", r.err(), "WEFT_CNI_SOCKET is read");
        weft.env.remove("WEFT_CNI_SOCKET");
    }

    @Test
    void helpShowsTheCniSocketAndItsDefault() {
        weft.env.put("WEFT_CNI_SOCKET", "/run/weft/cni.sock"); // the harness turns it off otherwise
        String help = weft.run("daemon", "--help").out();
        assertTrue(help.contains("--cni-socket=PATH"), help);
        assertTrue(help.replaceAll("\\s+", " ").contains("Serve the cni/weft shim's CNI calls on this unix socket (mode"
                + " 0600), so they start no JVM; '' turns it off. Default: /run/weft/cni.sock."), help);
    }
    private Path ipsecConfig(String backendFields) throws IOException {
        return Files.writeString(dir.resolve("ipsec.json"), "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":"
                + "\"ipsec\"" + backendFields + "}}");
    }

    private CliHarness.Result ipsecDaemon(Path config, String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("daemon", "--store", "memory", "--net-config-path",
                config.toString(), "--iface", "lo", "--public-ip", "198.18.0.1", "--subnet-file",
                dir.resolve("subnet.env").toString(), "--healthz-port", "0"));
        args.addAll(List.of(more));
        return weft.run(args.toArray(String[]::new));
    }

    /** The real ipsec backend refuses these in prepare, before it binds a socket or opens a device. */
    @Test
    void ipsecPskFileAndStateDirErrorsAreOneLineWithExitCode1() throws Exception {
        Path config = ipsecConfig("");
        Path psk = Files.writeString(dir.resolve("ipsec.psk"), "file-psk-0123456789abcdef0123456789abcdef\n");
        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-r--r--"));
        Path state = dir.resolve("state");
        String uid = String.valueOf(new com.sun.security.auth.module.UnixSystem().getUid());

        CliHarness.Result r = ipsecDaemon(config, "--ipsec-psk-file", psk.toString(), "--ipsec-state-dir",
                state.toString());
        assertEquals(1, r.code());
        assertEquals("weft: ipsec PSK file " + psk + " has mode 0644 (owner uid " + uid + "): it must be 0600 or 0400,"
                + " readable by its owner only; fix it with 'chmod 600 " + psk + "'\n", r.err());

        weft.env.put("WEFT_IPSEC_PSK_FILE", psk.toString());
        r = ipsecDaemon(config, "--ipsec-state-dir", state.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: ipsec PSK file " + psk + " has mode 0644"), "WEFT_IPSEC_PSK_FILE is read: "
                + r.err());
        weft.env.clear();

        r = ipsecDaemon(config, "--ipsec-state-dir", state.toString());
        assertEquals(1, r.code());
        assertEquals("weft: Backend.PSK is missing and no --ipsec-psk-file was given: the ipsec backend needs a"
                + " pre-shared key of at least 32 bytes; put one in a file of mode 0600 (e.g. 'openssl rand -base64 32 >"
                + " /etc/weft/ipsec.psk') and give it to every daemon with --ipsec-psk-file FILE, or set Backend.PSK in"
                + " the network config\n", r.err());

        Files.setPosixFilePermissions(psk, PosixFilePermissions.fromString("rw-------"));
        Path shared = Files.createDirectories(dir.resolve("shared"));
        Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxrwxrwx"));
        r = ipsecDaemon(config, "--ipsec-psk-file", psk.toString(), "--ipsec-state-dir", shared.toString());
        assertEquals(1, r.code());
        assertEquals("weft: ipsec state directory " + shared + " has mode 0777 (owner uid " + uid + "): group or others"
                + " can write it and could plant a key file there; fix it with 'chmod 700 " + shared + "'\n", r.err());

        weft.env.put("WEFT_IPSEC_STATE_DIR", shared.toString());
        r = ipsecDaemon(ipsecConfig(",\"StateDir\":\"" + state + "\""), "--ipsec-psk-file", psk.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: ipsec state directory " + shared + " has mode 0777"),
                "WEFT_IPSEC_STATE_DIR is read, Backend.StateDir is not: " + r.err());
        assertTrue(!Files.exists(dir.resolve("subnet.env")), "no lease was taken");
    }

    @Test
    void theIpsecHostFlagsAndTheirEnvironmentReachTheBackendContext() throws Exception {
        List<BackendContext> contexts = new java.util.ArrayList<>();
        weft.backends = List.of(CliHarness.backend("ipsec", context -> {
            contexts.add(context);
            throw new WeftException("recorded");
        }));
        Path config = ipsecConfig("");
        assertEquals("weft: recorded\n", ipsecDaemon(config, "--ipsec-psk-file", "/etc/weft/psk", "--ipsec-state-dir",
                "/srv/weft").err());
        weft.env.put("WEFT_IPSEC_PSK_FILE", "/env/psk");
        weft.env.put("WEFT_IPSEC_STATE_DIR", "/env/state");
        ipsecDaemon(config);
        ipsecDaemon(config, "--ipsec-psk-file", "/flag/psk");
        weft.env.put("WEFT_IPSEC_PSK_FILE", " ");
        weft.env.put("WEFT_IPSEC_STATE_DIR", "");
        ipsecDaemon(config);
        assertEquals(List.of("/etc/weft/psk /srv/weft", "/env/psk /env/state", "/flag/psk /env/state", "- -"),
                contexts.stream().map(c -> c.pskFile().map(Path::toString).orElse("-") + " "
                        + c.stateDir().map(Path::toString).orElse("-")).toList());
        String help = weft.run("daemon", "--help").out();
        assertTrue(help.contains("--ipsec-psk-file=FILE") && help.contains("--ipsec-state-dir=DIR"), help);
    }
}
