package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link YoungGeneration} in JVMs of its own, started with the daemon's heap flags (bin/weft): under the serial
 * collector it grows the 2.7 MB young generation to 12 MB with one full collection, puts the heap-ratio flags back
 * and does nothing the second time; under G1 it does nothing.
 */
class YoungGenerationTest {
    private static final List<String> DAEMON_HEAP = List.of("-Xms8m", "-Xmx64m", "-XX:MaxNewSize=12m",
            "-XX:+UseSerialGC", "-XX:MinHeapFreeRatio=10", "-XX:MaxHeapFreeRatio=30");

    /** Runs {@link #main} in a new JVM with {@code flags}; returns its output lines. */
    private static List<String> run(List<String> flags) throws Exception {
        return ChildJvm.run(YoungGenerationTest.class, flags, "RESULT ", "FLAGS ");
    }

    /** The child: ensure twice, then the ratio flags as they are now. */
    public static void main(String[] args) {
        System.out.println("RESULT " + YoungGeneration.ensure());
        System.out.println("RESULT " + YoungGeneration.ensure());
        com.sun.management.HotSpotDiagnosticMXBean hs = java.lang.management.ManagementFactory
                .getPlatformMXBean(com.sun.management.HotSpotDiagnosticMXBean.class);
        System.out.println("FLAGS " + hs.getVMOption("MinHeapFreeRatio").getValue() + " "
                + hs.getVMOption("MaxHeapFreeRatio").getValue());
    }

    private static long field(String line, String name) {
        int at = line.indexOf(name + "=") + name.length() + 1;
        int end = line.indexOf(',', at);
        return Long.parseLong(line.substring(at, end));
    }

    @Test
    void underTheSerialCollectorOneFullCollectionGrowsItTo12MegabytesOnce() throws Exception {
        List<String> lines = run(DAEMON_HEAP);
        assertEquals(3, lines.size(), lines.toString());
        String first = lines.get(0);
        assertTrue(first.contains("collected=true"), first);
        assertTrue(field(first, "beforeBytes") < 4L << 20, "the daemon starts with a small one: " + first);
        long after = field(first, "afterBytes");
        assertTrue(after >= (12L << 20) * 9 / 10 && after <= 12L << 20, "grown to MaxNewSize: " + first);
        assertTrue(lines.get(1).contains("collected=false") && lines.get(1).contains("already"), lines.get(1));
        assertEquals("FLAGS 10 30", lines.get(2), "the launcher's ratios are back");
    }

    @Test
    void withExplicitCollectionsOffItTriesOnceAndGivesUp() throws Exception {
        List<String> flags = new ArrayList<>(DAEMON_HEAP);
        flags.add("-XX:+DisableExplicitGC");
        List<String> lines = run(flags);
        assertTrue(lines.get(0).contains("collected=true") && lines.get(0).contains("not grown"), lines.toString());
        assertTrue(lines.get(1).contains("collected=false") && lines.get(1).contains("did not grow it before"),
                lines.toString());
        assertEquals("FLAGS 10 30", lines.get(2), "the launcher's ratios are back");
    }

    @Test
    void underG1ItDoesNothing() throws Exception {
        List<String> lines = run(List.of("-Xmx64m", "-XX:+UseG1GC"));
        assertTrue(lines.get(0).contains("collected=false") && lines.get(0).contains("not the serial collector"),
                lines.toString());
    }
}
