package io.weft.backend.ipsec;

import com.sun.management.HotSpotDiagnosticMXBean;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the serial collector's young generation at {@link #TARGET_BYTES} (or the JVM's {@code MaxNewSize}, if
 * smaller) while the ipsec backend runs on its fallback cipher ({@link JdkAesGcm}, when the JDK's GHASH is not
 * opened to weft; {@link ComposedAesGcm} allocates 16 bytes a packet), so that every other daemon keeps the small
 * one. The JCE's AES-GCM allocates about 1.1 KB per packet and direction (the engine state each {@code Cipher.init} makes; the JCE
 * offers no way to reuse it), and a young collection costs about a millisecond whatever it frees (it walks every
 * thread's stack and the JVM's weak tables): with the 2.7 MB young generation the daemon starts with, an ipsec host
 * moving 3 Gbit/s collected some 80 times a second and spent 6 % of a core, and its forwarding threads stood still
 * as long, in collections.
 *
 * <p>The serial collector sizes its young generation only after a full collection, to the old generation's
 * capacity divided by {@code NewRatio}. So {@link #ensure} raises {@code MinHeapFreeRatio} (a manageable flag) for
 * one {@link System#gc()}, which leaves the old generation large enough, and puts the flags back. A later full
 * collection (when the old generation fills, rarely) may shrink both again; {@link #ensure} costs a few pool reads
 * when there is nothing to do, so the backend's reporter calls it every {@link #CHECK_SECONDS} seconds. Under any
 * other collector, or when the heap cannot hold it, it does nothing; after a collection that did not grow it
 * ({@code -XX:+DisableExplicitGC}) it stops trying. Thread-safe.
 */
final class YoungGeneration {
    private static final Logger LOG = LoggerFactory.getLogger(YoungGeneration.class);
    /** Young generation bytes ipsec asks for: a collection every ~40 ms at 3 Gbit/s. */
    static final long TARGET_BYTES = 12L << 20;
    /** How often the reporter checks that a full collection has not shrunk it. */
    static final int CHECK_SECONDS = 10;
    private static final long MB = 1L << 20;
    /** Set when a collection did not grow it (-XX:+DisableExplicitGC, say): no more tries, no more log lines. */
    private static boolean gaveUp;

    /** What {@link #ensure} found or did: young generation bytes before and after, and whether it collected. */
    record Result(long beforeBytes, long afterBytes, boolean collected, String why) {
    }

    private YoungGeneration() {
    }

    /** Grows the young generation to the target when it is smaller, with one full collection. */
    static synchronized Result ensure() {
        if (!serialCollector()) {
            return new Result(0, 0, false, "not the serial collector");
        }
        Optional<HotSpotDiagnosticMXBean> hotSpot = hotSpot();
        Optional<MemoryPoolMXBean> eden = pool("Eden Space");
        Optional<MemoryPoolMXBean> survivor = pool("Survivor Space");
        Optional<MemoryPoolMXBean> old = pool("Tenured Gen");
        if (hotSpot.isEmpty() || eden.isEmpty() || survivor.isEmpty() || old.isEmpty()) {
            return new Result(0, 0, false, "no HotSpot diagnostic bean or heap pools");
        }
        if (gaveUp) {
            return new Result(0, 0, false, "a collection did not grow it before");
        }
        HotSpotDiagnosticMXBean hs = hotSpot.get();
        long target = Math.min(TARGET_BYTES, longOption(hs, "MaxNewSize"));
        long before = young(eden.get(), survivor.get());
        // A generation is sized in whole alignment units: within 10 % of the target is the target.
        if (before >= target * 9 / 10) {
            return new Result(before, before, false, "already " + before / MB + " MB");
        }
        long newRatio = longOption(hs, "NewRatio");
        long oldNeeded = target * newRatio;
        if (oldNeeded + target > longOption(hs, "MaxHeapSize")) {
            return new Result(before, before, false, "the heap cannot hold " + (oldNeeded + target) / MB + " MB");
        }
        long oldUsed = old.get().getUsage().getUsed();
        int minFree = (int) Math.min(90, Math.max(0, 100 - (100 * oldUsed) / Math.max(1, oldNeeded) + 5));
        String minBefore = hs.getVMOption("MinHeapFreeRatio").getValue();
        String maxBefore = hs.getVMOption("MaxHeapFreeRatio").getValue();
        try {
            hs.setVMOption("MaxHeapFreeRatio", "100");
            hs.setVMOption("MinHeapFreeRatio", Integer.toString(minFree));
            System.gc();
        } finally {
            hs.setVMOption("MinHeapFreeRatio", minBefore);
            hs.setVMOption("MaxHeapFreeRatio", maxBefore);
        }
        long after = young(eden.get(), survivor.get());
        if (after < target * 9 / 10) {
            gaveUp = true;
            LOG.info("ipsec young generation stays at {} MB (a full collection did not grow it to {} MB; is"
                    + " -XX:+DisableExplicitGC set?): ipsec runs with more young collections", mb(after), mb(target));
            return new Result(before, after, true, "not grown");
        }
        LOG.info("ipsec young generation {} -> {} MB (target {} MB): the JDK's AES-GCM allocates about 1.1 KB per"
                + " packet, and fewer young collections stop the forwarding threads less often", mb(before),
                mb(after), mb(target));
        return new Result(before, after, true, "grown");
    }

    private static String mb(long bytes) {
        return String.format("%.1f", bytes / (double) MB);
    }

    /** Eden and both survivor spaces, committed. */
    private static long young(MemoryPoolMXBean eden, MemoryPoolMXBean survivor) {
        return eden.getUsage().getCommitted() + 2 * survivor.getUsage().getCommitted();
    }

    private static boolean serialCollector() {
        List<String> names = ManagementFactory.getGarbageCollectorMXBeans().stream()
                .map(GarbageCollectorMXBean::getName).toList();
        return names.contains("Copy") && names.contains("MarkSweepCompact");
    }

    private static Optional<HotSpotDiagnosticMXBean> hotSpot() {
        try {
            return Optional.ofNullable(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }

    private static Optional<MemoryPoolMXBean> pool(String name) {
        return ManagementFactory.getMemoryPoolMXBeans().stream().filter(p -> p.getName().equals(name)).findFirst();
    }

    private static long longOption(HotSpotDiagnosticMXBean hs, String name) {
        return Long.parseLong(hs.getVMOption(name).getValue());
    }
}
