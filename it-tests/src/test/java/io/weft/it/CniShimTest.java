package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped {@code cni/weft} shim as a container runtime runs it: with only CNI_* variables (no
 * WEFT_JAR), and with whatever keeps weft from starting answered by CNI error JSON on stdout.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class CniShimTest {
    private static final Path ROOT = Path.of(System.getProperty("user.dir")).getParent();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    @TempDir
    Path dir;

    record Run(int code, String out) {
    }

    /** Runs {@code shim} with exactly {@code env} (plus PATH) and {@code stdin}. */
    private static Run run(Path shim, Map<String, String> env, String stdin) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(shim.toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        String path = System.getenv("PATH");
        pb.environment().clear();
        pb.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":" + path);
        pb.environment().putAll(env);
        Process p = pb.start();
        p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError(shim + " did not finish in 60 s");
        }
        return new Run(p.exitValue(), out);
    }

    private static Map<String, String> cni(String command, String... more) {
        Map<String, String> env = new HashMap<>(Map.of("CNI_COMMAND", command));
        for (int i = 0; i < more.length; i += 2) {
            env.put(more[i], more[i + 1]);
        }
        return env;
    }

    /** Parses a CNI error answer, checking the spec's fields. */
    private static JsonNode error(Run run) throws IOException {
        assertEquals(1, run.code(), run.out());
        JsonNode json = MAPPER.readTree(run.out());
        assertEquals("1.0.0", json.path("cniVersion").asText(), run.out());
        assertTrue(json.path("code").isInt(), run.out());
        assertTrue(!json.path("msg").asText().isEmpty(), run.out());
        return json;
    }

    @Test
    void findsWeftBesideItsOwnRealPathWithoutWeftJar() throws Exception {
        // A link elsewhere, as /opt/cni/bin/weft is: the shim follows it back to the checkout's launcher.
        Path link = Files.createSymbolicLink(dir.resolve("weft"), ROOT.resolve("cni/weft"));
        Run version = run(link, cni("VERSION"), "");
        assertEquals(0, version.code(), version.out());
        JsonNode json = MAPPER.readTree(version.out());
        assertEquals("1.0.0", json.path("cniVersion").asText());
        assertTrue(json.path("supportedVersions").toString().contains("0.3.1"), version.out());
    }

    @Test
    void passesWeftsOwnErrorJsonThrough() throws Exception {
        Run add = run(ROOT.resolve("cni/weft"), cni("ADD", "CNI_CONTAINERID", "c1", "CNI_IFNAME", "eth0",
                "CNI_NETNS", "/proc/self/ns/net", "CNI_PATH", dir.toString()),
                "{\"cniVersion\":\"1.0.0\",\"name\":\"t\",\"type\":\"weft\",\"subnetFile\":\"" + dir.resolve("none.env")
                        + "\",\"dataDir\":\"" + dir.resolve("cni") + "\"}");
        JsonNode json = error(add);
        assertEquals(11, json.path("code").asInt(), add.out());
        assertTrue(json.path("msg").asText().contains("is the weft daemon running?"), add.out());
    }

    @Test
    void aMissingJarIsCniErrorJson() throws Exception {
        Path missing = dir.resolve("no-such/weft.jar");
        JsonNode json = error(run(ROOT.resolve("cni/weft"), cni("DEL", "WEFT_JAR", missing.toString()), ""));
        assertEquals(999, json.path("code").asInt());
        assertEquals("weft cni did not start (exit 1): weft: WEFT_JAR=" + missing
                + " does not exist: install weft.jar there or unset WEFT_JAR", json.path("msg").asText());
    }

    @Test
    void noJavaIsCniErrorJson() throws Exception {
        JsonNode json = error(run(ROOT.resolve("cni/weft"), cni("DEL", "WEFT_JAVA", dir.resolve("java").toString()), ""));
        assertTrue(json.path("msg").asText().startsWith("weft cni did not start (exit 127): "), json.toString());
        assertTrue(json.path("msg").asText().contains(dir.resolve("java") + ": No such file or directory"), json.toString());
    }

    @Test
    void aJvmThatCannotStartIsCniErrorJson() throws Exception {
        JsonNode json = error(run(ROOT.resolve("cni/weft"), cni("DEL", "WEFT_JAVA_OPTS", "-XX:+NoSuchVmOption"), ""));
        assertTrue(json.path("msg").asText().startsWith("weft cni did not start (exit 1): Unrecognized VM option"),
                json.toString());
    }

    @Test
    void aShimWithNoWeftBesideItIsCniErrorJson() throws Exception {
        // A copy (not a link) away from any checkout: no launcher beside it, and no package on this machine.
        Path lone = Files.copy(ROOT.resolve("cni/weft"), dir.resolve("weft"));
        assertTrue(lone.toFile().setExecutable(true));
        assumeFalse(Files.isExecutable(Path.of("/usr/bin/weft")), "the weft package is installed here: the shim finds it");
        JsonNode json = error(run(lone, cni("ADD"), "{}"));
        assertEquals("weft is not installed: no launcher at " + dir + "/../bin/weft or /usr/bin/weft",
                json.path("msg").asText());
        assertEquals(List.of("cniVersion", "code", "msg", "details"), fieldNames(json));
    }

    private static List<String> fieldNames(JsonNode json) {
        List<String> names = new java.util.ArrayList<>();
        json.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
