package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin subcommands, each checked for exit code, stdout and stderr. */
class AdminCommandsTest {
    private static final String CONFIG = "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"udp\"}}";
    private final CliHarness weft = new CliHarness();

    @TempDir
    Path dir;

    @Test
    void versionPrintsTheBuiltVersion() {
        assertTrue(weft.ok("version").out().matches("weft \\d+\\.\\d+\\.\\d+(-SNAPSHOT)?\\n"),
                weft.run("version").out());
        assertEquals(weft.ok("version").out(), weft.ok("--version").out());
    }

    @Test
    void everyCommandHasHelpAndTheDaemonTakesFlanneldsFlags() {
        String root = weft.ok("--help").out();
        for (String sub : new String[] {"daemon", "status", "config", "leases", "cni", "docker-opts", "ipsec", "doctor", "version"}) {
            assertTrue(root.contains("  " + sub + " "), root);
        }
        String daemon = weft.ok("daemon", "--help").out();
        for (String flag : new String[] {"--etcd-endpoints", "--etcd-prefix", "--etcd-cafile", "--etcd-certfile",
            "--etcd-keyfile", "--etcd-username", "--etcd-password", "--etcd-password-file", "--iface", "--iface-regex",
            "--public-ip", "--subnet-file", "--subnet-lease-renew-margin", "--ip-masq", "--store", "--net-config-path",
            "--ipsec-psk-file", "--ipsec-state-dir"}) {
            assertTrue(java.util.regex.Pattern.compile("(?m)^ +" + flag + "[= ]").matcher(daemon).find(), flag + " in\n" + daemon);
        }
        assertTrue(weft.ok("leases", "list", "--help").out().contains("-o, --output=FORMAT"));
        assertTrue(weft.ok("config", "put", "--help").out().contains("FILE|-"));
        assertTrue(weft.ok("leases", "reserve", "--help").out().contains("SUBNET PUBLIC_IP"));
    }

    @Test
    void usageErrorsAreOneLineWithExitCode2() {
        weft.fails(2, "weft: missing subcommand: daemon, status, config, leases, cni, docker-opts, ipsec, doctor or version"
                + " (see 'weft --help')");
        weft.fails(2, "weft: Unknown option: '--nope' (see 'weft version --help')", "version", "--nope");
        weft.fails(2, "weft: Missing required parameter: 'FILE|-' (see 'weft config put --help')", "config", "put");
        weft.fails(2, "weft: Invalid value for option '--output': expected one of [table, json] (case-sensitive) but"
                + " was 'yaml' (see 'weft leases list --help')", "leases", "list", "--store", "shared", "-o", "yaml");
        weft.fails(2, "weft: missing subcommand: put or get (see 'weft config --help')", "config");
    }

    @Test
    void configPutStoresAValidFileAndGetPrintsIt() throws IOException {
        Path file = Files.writeString(dir.resolve("net.json"), CONFIG);
        CliHarness.Result put = weft.ok("config", "put", "--store", "shared", file.toString());
        assertEquals("stored network config: Network 10.5.0.0/16, SubnetLen 24, 255 subnets, Backend udp\n", put.out());
        assertEquals(CONFIG, weft.shared.readNetworkConfig());
        assertEquals(CONFIG + "\n", weft.ok("config", "get", "--store", "shared").out());
    }

    @Test
    void configPutReadsStandardInput() {
        weft.stdin = "{\"Network\":\"100.96.0.0/12\"}";
        weft.ok("config", "put", "--store", "shared", "-");
        assertEquals("{\"Network\":\"100.96.0.0/12\"}", weft.shared.readNetworkConfig());
    }

    @Test
    void anInvalidConfigIsRefusedAndWhatWasStoredIsKept() throws IOException {
        weft.shared.writeNetworkConfig(CONFIG);
        Path bad = Files.writeString(dir.resolve("bad.json"), "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":31}");
        weft.fails(1, "weft: SubnetLen 31 is too long: it must be at most 30", "config", "put", "--store", "shared",
                bad.toString());
        Path broken = Files.writeString(dir.resolve("broken.json"), "{\"Network\" \"10.5.0.0/16\"}");
        CliHarness.Result r = weft.run("config", "put", "--store", "shared", broken.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().startsWith("weft: network config is not valid JSON at byte offset 11: "), r.err());
        assertEquals(1, r.err().lines().count());
        weft.fails(1, "weft: config file " + dir.resolve("none.json") + " does not exist: give the path of a JSON file,"
                + " or -", "config", "put", "--store", "shared", dir.resolve("none.json").toString());
        assertEquals(CONFIG, weft.shared.readNetworkConfig());
    }

    @Test
    void configGetWithoutAConfigSaysHowToProvideOne() {
        weft.fails(1, "weft: network config not found in the in-memory store; pass it with --net-config-path FILE",
                "config", "get", "--store", "shared");
    }

    @Test
    void leasesListShowsATableAndJson() throws IOException {
        weft.shared.createLease(Ipv4Subnet.parse("10.5.34.0/24"), LeaseAttrs.of("198.18.0.2", "udp"), Duration.ofHours(24));
        weft.shared.createLease(Ipv4Subnet.parse("10.5.9.0/24"), LeaseAttrs.of("198.18.0.5", "udp"), Store.NO_TTL);
        String table = weft.ok("leases", "list", "--store", "shared").out();
        String[] lines = table.split("\n");
        assertEquals(3, lines.length, table);
        assertTrue(lines[0].matches("SUBNET +PUBLIC-IP +BACKEND +EXPIRES"), lines[0]);
        assertTrue(lines[1].matches("10\\.5\\.9\\.0/24 +198\\.18\\.0\\.5 +udp +never \\(reserved\\)"), lines[1]);
        assertTrue(lines[2].matches("10\\.5\\.34\\.0/24 +198\\.18\\.0\\.2 +udp +\\d{4}-\\d\\d-\\d\\dT.*Z"), lines[2]);

        JsonNode json = new ObjectMapper().readTree(weft.ok("leases", "list", "--store", "shared", "-o", "json").out());
        assertEquals(2, json.size());
        assertEquals("10.5.9.0/24", json.get(0).get("subnet").asText());
        assertTrue(json.get(0).get("expiration").isNull());
        assertTrue(json.get(0).get("reserved").asBoolean());
        assertEquals("198.18.0.2", json.get(1).get("publicIP").asText());
        assertEquals("udp", json.get(1).get("backendType").asText());
        assertTrue(json.get(1).get("expiration").isTextual());
    }

    @Test
    void leasesRevokeDeletesOrSaysThereIsNone() {
        weft.shared.createLease(Ipv4Subnet.parse("10.5.34.0/24"), LeaseAttrs.of("198.18.0.2", "udp"), Duration.ofHours(24));
        assertEquals("revoked lease 10.5.34.0/24\n",
                weft.ok("leases", "revoke", "--store", "shared", "10.5.34.0-24").out());
        assertTrue(weft.shared.listLeases().leases().isEmpty());
        weft.fails(1, "weft: no lease for subnet 10.5.34.0/24: see the leases with: weft leases list",
                "leases", "revoke", "--store", "shared", "10.5.34.0/24");
        weft.fails(1, "weft: SUBNET \"10.5.34.1/24\" has host bits set: use 10.5.34.0/24",
                "leases", "revoke", "--store", "shared", "10.5.34.1/24");
    }

    @Test
    void leasesReservePinsASubnetWithNoTtl() {
        weft.shared.writeNetworkConfig(CONFIG);
        assertEquals("reserved 10.5.7.0/24 for 198.18.0.9\n",
                weft.ok("leases", "reserve", "--store", "shared", "10.5.7.0/24", "198.18.0.9").out());
        var lease = weft.shared.listLeases().leases().get(0);
        assertTrue(lease.isReservation());
        assertEquals("198.18.0.9", lease.attrs().publicIp());

        weft.fails(1, "weft: subnet 10.5.7.0/24 is already leased to 198.18.0.9: revoke it first with: weft leases"
                + " revoke 10.5.7.0/24, or replace it with: weft leases reserve 10.5.7.0/24 198.18.0.10 --evict",
                "leases", "reserve", "--store", "shared", "10.5.7.0/24", "198.18.0.10");
        weft.fails(1, "weft: subnet 10.6.7.0/24 does not fit the network config: it must be a /24 from 10.5.1.0 to"
                + " 10.5.255.0 in Network 10.5.0.0/16", "leases", "reserve", "--store", "shared", "10.6.7.0/24",
                "198.18.0.9");
        weft.fails(1, "weft: PUBLIC_IP \"198.18.0\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
                "leases", "reserve", "--store", "shared", "10.5.8.0/24", "198.18.0");
    }

    @Test
    void leasesReserveEvictReplacesTheHoldersLeaseInOneStep() {
        weft.shared.writeNetworkConfig(CONFIG);
        Ipv4Subnet s = Ipv4Subnet.parse("10.5.7.0/24");
        Lease held = ((CreateResult.Created) weft.shared.createLease(s, LeaseAttrs.of("198.18.0.2", "udp"),
                Duration.ofHours(24))).lease();
        long before = weft.shared.revision();

        assertEquals("reserved 10.5.7.0/24 for 198.18.0.9, evicting the lease of 198.18.0.2\n",
                weft.ok("leases", "reserve", "--store", "shared", "10.5.7.0/24", "198.18.0.9", "--evict").out());
        Lease reserved = weft.shared.listLeases().leases().get(0);
        assertTrue(reserved.isReservation());
        assertEquals("198.18.0.9", reserved.attrs().publicIp());
        assertEquals(before + 1, weft.shared.revision(), "one change: the subnet was never free for anyone to take");
        assertTrue(weft.shared.renewLease(held, Duration.ofHours(24)).isEmpty(), "the evicted host cannot renew");
        assertTrue(weft.shared.listLeases().leases().get(0).isReservation(), "and the reservation stands");

        assertEquals("reserved 10.5.8.0/24 for 198.18.0.9\n",
                weft.ok("leases", "reserve", "--store", "shared", "10.5.8.0/24", "198.18.0.9", "--evict").out(),
                "a free subnet is simply reserved");
        assertTrue(weft.ok("leases", "reserve", "--help").out().contains("--evict"));
    }

    @Test
    void configPutRefusesNetworksThatWouldCutTheHostOffAndTooManySubnets() throws IOException {
        weft.shared.writeNetworkConfig(CONFIG);
        String[][] refused = {
            {"{\"Network\":\"0.0.0.0/0\",\"SubnetLen\":24}", "Network 0.0.0.0/0 is too wide: weft would route all of"
                + " it into its device; give a prefix of /8 or longer, and choose a private range such as 10.0.0.0/8,"
                + " 172.16.0.0/12 or 100.64.0.0/10"},
            {"{\"Network\":\"127.0.0.0/16\"}", "Network 127.0.0.0/16 overlaps the loopback range 127.0.0.0/8, which"
                + " weft cannot route through its device; choose a private range such as 10.0.0.0/8, 172.16.0.0/12 or"
                + " 100.64.0.0/10"},
            {"{\"Network\":\"224.1.0.0/16\"}", "Network 224.1.0.0/16 overlaps the multicast range 224.0.0.0/4, which"
                + " weft cannot route through its device; choose a private range such as 10.0.0.0/8, 172.16.0.0/12 or"
                + " 100.64.0.0/10"},
            {"{\"Network\":\"10.0.0.0/8\",\"SubnetLen\":29}", "SubnetLen 29 gives Network 10.0.0.0/8 2097151 subnets,"
                + " more than the 1048576 weft allows: use SubnetLen 28 or less, or narrow SubnetMin/SubnetMax"},
        };
        for (String[] r : refused) {
            Path file = Files.writeString(dir.resolve("net.json"), r[0]);
            weft.fails(1, "weft: " + r[1], "config", "put", "--store", "shared", file.toString());
        }
        assertEquals(CONFIG, weft.shared.readNetworkConfig(), "what was stored is kept");
        Path widest = Files.writeString(dir.resolve("net.json"), "{\"Network\":\"10.0.0.0/8\",\"SubnetLen\":28}");
        assertEquals("stored network config: Network 10.0.0.0/8, SubnetLen 28, 1048575 subnets, Backend udp\n",
                weft.ok("config", "put", "--store", "shared", widest.toString()).out());
    }

    @Test
    void anUnknownStoreListsTheAvailableOnes() {
        CliHarness.Result r = weft.run("leases", "list", "--store", "nope");
        assertEquals(1, r.code());
        assertTrue(r.err().matches("weft: store \"nope\" not found; available: (etcd, )?memory, shared\\n"), r.err());
    }

    @Test
    void flagsFallBackToWeftThenFlanneldEnvironmentAndTheCommandLineWins() {
        weft.shared.writeNetworkConfig(CONFIG);
        weft.env.put("FLANNELD_STORE", "nope");
        assertEquals(1, weft.run("config", "get").code(), "FLANNELD_STORE is read");
        weft.env.put("WEFT_STORE", "shared");
        assertEquals(CONFIG + "\n", weft.ok("config", "get").out(), "WEFT_ wins over FLANNELD_");
        weft.env.put("WEFT_STORE", "nope");
        assertEquals(CONFIG + "\n", weft.ok("config", "get", "--store", "shared").out(), "the flag wins");
    }

    @Test
    void storeFlagsReachTheStore() {
        weft.shared.writeNetworkConfig(CONFIG);
        weft.ok("config", "get", "--store", "shared", "--etcd-endpoints", "https://a:2379,https://b:2379",
                "--etcd-prefix", "/x/net/", "--etcd-cafile", "/ca.pem", "--etcd-certfile", "/c.pem", "--etcd-keyfile",
                "/k.pem", "--etcd-username", "weft", "--etcd-password", "secret");
        io.weft.core.spi.store.StoreOptions o = weft.lastOptions;
        assertEquals(java.util.List.of("https://a:2379", "https://b:2379"), o.endpoints());
        assertEquals("/x/net", o.prefix());
        assertEquals("/x/net/config", o.configKey());
        assertEquals(Path.of("/ca.pem"), o.caFile());
        assertEquals(Path.of("/c.pem"), o.certFile());
        assertEquals(Path.of("/k.pem"), o.keyFile());
        assertEquals("weft", o.username());
        assertEquals("secret", o.password());

        weft.ok("config", "get", "--store", "shared", "--etcd-prefix", "/a", "--etcd-prefix", "/b");
        assertEquals("/b", weft.lastOptions.prefix(), "the last of a repeated flag wins, as with flanneld");

        weft.env.put("FLANNELD_ETCD_ENDPOINTS", "http://e1:2379,http://e2:2379");
        weft.ok("config", "get", "--store", "shared");
        assertEquals(java.util.List.of("http://e1:2379", "http://e2:2379"), weft.lastOptions.endpoints());
        assertEquals("/coreos.com/network", weft.lastOptions.prefix());
        weft.env.clear();
        weft.ok("config", "get", "--store", "shared");
        assertEquals(java.util.List.of("http://127.0.0.1:2379"), weft.lastOptions.endpoints());
    }

    @Test
    void stackTracesOnlyWithVerbose() {
        CliHarness.Result quiet = weft.run("config", "get", "--store", "shared");
        assertEquals(1, quiet.err().lines().count());
        CliHarness.Result verbose = weft.run("config", "get", "--store", "shared", "--verbose");
        assertEquals(1, verbose.code());
        assertTrue(verbose.err().lines().count() > 3, verbose.err());
        assertTrue(verbose.err().contains("\tat io.weft."), verbose.err());
    }
}
