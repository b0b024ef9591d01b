package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code weft ipsec sa} reaches the backend only through the {@code ipsec} provider's report: what it asks
 * for and what it prints, against a recording provider (the real one is tested in {@link IpsecCommandTest}).
 */
class IpsecCommandProviderTest {
    private final CliHarness weft = new CliHarness();
    private final List<String> asked = new ArrayList<>();

    @TempDir
    Path dir;

    private Path net;

    @BeforeEach
    void setUp() throws Exception {
        net = Files.writeString(dir.resolve("net.json"), "{\"Network\":\"100.96.0.0/16\",\"Backend\":{\"Type\":\"ipsec\"}}");
        weft.backends = List.of(CliHarness.backend("ipsec", context -> {
            throw new UnsupportedOperationException("not started in this test");
        }, (report, format, config, stateDir, pskFile) -> {
            asked.add(report + " " + format + " " + config.network() + " " + stateDir.map(Path::toString).orElse("-")
                    + pskFile.map(f -> " psk " + f).orElse(""));
            return List.of("line 1", "line 2");
        }));
    }

    @Test
    void asksForTheTableAndPrintsItsLines() {
        CliHarness.Result r = weft.run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals("line 1\nline 2\n", r.out());
        assertEquals(List.of("sa table 100.96.0.0/16 -"), asked);
    }

    @Test
    void theStateDirFlagWinsOverTheEnvironment() {
        weft.env.put("WEFT_IPSEC_STATE_DIR", "/from/env");
        weft.run("ipsec", "sa", "--wireshark", "--store", "memory", "--net-config-path", net.toString());
        weft.run("ipsec", "sa", "--wireshark", "--store", "memory", "--net-config-path", net.toString(),
                "--ipsec-state-dir", "/from/flag");
        weft.env.put("WEFT_IPSEC_STATE_DIR", " ");
        weft.run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString());
        assertEquals(List.of("sa wireshark 100.96.0.0/16 /from/env", "sa wireshark 100.96.0.0/16 /from/flag",
                "sa table 100.96.0.0/16 -"), asked);
    }

    @Test
    void thePskFileComesFromTheFlagOrTheEnvironment() {
        weft.run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString(), "--ipsec-psk-file",
                "/flag/psk");
        weft.env.put("WEFT_IPSEC_PSK_FILE", "/env/psk");
        weft.run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString());
        weft.env.put("WEFT_IPSEC_PSK_FILE", "");
        weft.run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString());
        assertEquals(List.of("sa table 100.96.0.0/16 - psk /flag/psk", "sa table 100.96.0.0/16 - psk /env/psk",
                "sa table 100.96.0.0/16 -"), asked);
        assertTrue(weft.run("ipsec", "sa", "--help").out().contains("--ipsec-psk-file=FILE"));
    }

    @Test
    void aMissingIpsecBackendIsNamed() {
        weft.backends = List.of();
        CliHarness.Result r = weft.run("ipsec", "sa", "--store", "memory", "--net-config-path", net.toString());
        assertEquals(1, r.code());
        assertEquals("weft: backend \"ipsec\" not found; available: \n", r.err());
    }

    @Test
    void withoutASubcommandItNamesSa() {
        CliHarness.Result r = weft.run("ipsec");
        assertEquals(2, r.code());
        assertEquals("weft: missing subcommand: sa (see 'weft ipsec --help')\n", r.err());
    }
}
