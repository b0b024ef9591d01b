package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.it.lab.Lab;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.spi.ToolProvider;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The shaded jar (cli/target/weft.jar) carries what runs and one Netty: the parts of Bouncy Castle it leaves
 * out by name are needed by nothing weft's classes reach (by jdeps, class by class), jffi's stub is there for
 * Linux only, Maven resolves one Netty version, and its manifest opens the JDK's GHASH to the ipsec data path.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class ShadedJarTest {
    private static final Path JAR = Lab.repositoryRoot().resolve("cli/target/weft.jar");

    @BeforeAll
    static void jarIsBuilt() {
        assertTrue(Files.isRegularFile(JAR), JAR + " is built by the cli module before it-tests run");
    }

    @Test
    void everyBouncyCastleClassThatWeftReachesFindsWhatItNeedsInTheJar() {
        StringWriter out = new StringWriter();
        int code = ToolProvider.findFirst("jdeps").orElseThrow()
                .run(new PrintWriter(out), new PrintWriter(out), "-verbose:class", "--multi-release", "17", JAR.toString());
        assertEquals(0, code, out.toString());
        Map<String, List<String>> uses = new HashMap<>();
        Set<String> missing = new HashSet<>();
        for (String line : out.toString().split("\n")) {
            // "   io.weft.backend.ipsec.BcAesGcm   -> org.bouncycastle.crypto.modes.GCMBlockCipher   weft.jar"
            String[] f = line.trim().split("\\s+");
            if (f.length < 4 || !f[1].equals("->")) {
                continue;
            }
            uses.computeIfAbsent(f[0], k -> new ArrayList<>()).add(f[2]);
            if (line.endsWith("not found")) {
                missing.add(f[2]);
            }
        }
        Deque<String> todo = new ArrayDeque<>();
        uses.keySet().stream().filter(c -> c.startsWith("io.weft.")).forEach(todo::add);
        Set<String> reached = new HashSet<>(todo);
        Set<String> broken = new TreeSet<>();
        while (!todo.isEmpty()) {
            String c = todo.poll();
            for (String used : uses.getOrDefault(c, List.of())) {
                if (!used.startsWith("org.bouncycastle.")) {
                    continue;
                }
                if (missing.contains(used)) {
                    broken.add(c + " -> " + used);
                } else if (reached.add(used)) {
                    todo.add(used);
                }
            }
        }
        assertTrue(reached.stream().anyMatch(c -> c.startsWith("org.bouncycastle.crypto.modes.GCM")),
                "weft reaches Bouncy Castle's GCM: " + reached.size() + " classes");
        assertEquals(Set.of(), broken, "Bouncy Castle classes weft reaches that need a class left out of the jar");
    }

    @Test
    void itsManifestStartsWeftAndOpensTheJdksGhashToTheIpsecDataPath() throws IOException {
        try (java.util.jar.JarFile jar = new java.util.jar.JarFile(JAR.toFile())) {
            java.util.jar.Attributes main = jar.getManifest().getMainAttributes();
            assertEquals("io.weft.cli.Main", main.getValue("Main-Class"));
            assertEquals("java.base/com.sun.crypto.provider", main.getValue("Add-Opens"));
        }
    }

    @Test
    void jffiCarriesItsLinuxStubsOnly() throws IOException {
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            List<String> stubs = jar.stream().map(ZipEntry::getName)
                    .filter(n -> n.startsWith("jni/") && !n.endsWith("/")).sorted().toList();
            assertTrue(stubs.contains("jni/x86_64-Linux/libjffi-1.2.so"), stubs.toString());
            assertTrue(stubs.contains("jni/aarch64-Linux/libjffi-1.2.so"), stubs.toString());
            assertEquals(List.of(), stubs.stream().filter(n -> !n.contains("-Linux/")).toList(), "stubs for other systems");
        }
    }

    /**
     * Every Netty artifact in the jar is of one version (the parent pom imports Netty's BOM), where grpc-netty
     * alone would bring its HTTP/2 codec and three more at 4.1 beside Vert.x's 4.2. The versions come from the
     * jar's META-INF/io.netty.versions.properties, which the shade plugin appends from every Netty artifact.
     */
    @Test
    void everyNettyArtifactInTheJarHasOneVersion() throws IOException {
        Map<String, String> versions = new TreeMap<>();
        try (ZipFile jar = new ZipFile(JAR.toFile())) {
            ZipEntry entry = jar.getEntry("META-INF/io.netty.versions.properties");
            assertTrue(entry != null, "META-INF/io.netty.versions.properties in the jar");
            Matcher m = Pattern.compile("(?m)^(netty-[a-z0-9-]+)\\.version=(\\S+)$")
                    .matcher(new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1));
            while (m.find()) {
                versions.put(m.group(1), m.group(2));
            }
        }
        assertTrue(versions.containsKey("netty-codec-http2"), "grpc-netty's HTTP/2 codec: " + versions);
        assertEquals(1, Set.copyOf(versions.values()).size(), "Netty versions: " + versions);
    }
}
