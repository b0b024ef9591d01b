package io.weft.backend.udp;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * Prints the heap one {@link RouteTable} of N peers holds, per peer, measured after a full collection before and
 * after building it as the daemon does ({@link RouteLookupBenchmark#table}); {@code scripts/bench-scale} runs it
 * with the daemon's {@code -Xmx64m}. Usage: {@code RouteTableHeap PEERS}.
 */
public final class RouteTableHeap {
    private RouteTableHeap() {
    }

    public static void main(String[] args) {
        int peers = Integer.parseInt(args[0]);
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        RouteLookupBenchmark.table(10); // loads the classes before the baseline
        long before = usedAfterGc(memory);
        RouteTable table = RouteLookupBenchmark.table(peers);
        long after = usedAfterGc(memory);
        System.out.println("route_table peers=" + table.peers().size() + " heap_bytes=" + (after - before)
                + " bytes_per_peer=" + (after - before) / peers + " heap_max=" + memory.getHeapMemoryUsage().getMax());
    }

    private static long usedAfterGc(MemoryMXBean memory) {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return memory.getHeapMemoryUsage().getUsed();
    }
}
