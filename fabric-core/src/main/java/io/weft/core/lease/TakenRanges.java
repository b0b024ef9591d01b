package io.weft.core.lease;

import java.util.ArrayList;
import java.util.List;

/**
 * The subnet indexes the leases of one listing take, as inclusive ranges: one per lease at most, whatever
 * the lease's size, merged when asked. It answers whether an index is taken, how many are, and which index
 * is the {@code n}-th free one. Built and read by one {@link SubnetAllocator} call; not thread-safe.
 */
final class TakenRanges {
    private final List<long[]> ranges = new ArrayList<>();
    private boolean merged = true;

    /** Marks {@code from..to} (inclusive) taken; nothing when {@code from > to}. */
    void add(long from, long to) {
        if (from > to) {
            return;
        }
        ranges.add(new long[] {from, to});
        merged = false;
    }

    boolean contains(long index) {
        merge();
        int lo = 0;
        int hi = ranges.size() - 1;
        while (lo <= hi) {
            int mid = (lo + hi) >>> 1;
            long[] r = ranges.get(mid);
            if (index < r[0]) {
                hi = mid - 1;
            } else if (index > r[1]) {
                lo = mid + 1;
            } else {
                return true;
            }
        }
        return false;
    }

    /** How many indexes are taken. */
    long size() {
        merge();
        long n = 0;
        for (long[] r : ranges) {
            n += r[1] - r[0] + 1;
        }
        return n;
    }

    /** The {@code n}-th (from 0) index that no range holds. */
    long freeIndex(long n) {
        merge();
        long candidate = n;
        for (long[] r : ranges) {
            if (r[0] > candidate) {
                break;
            }
            candidate += r[1] - r[0] + 1;
        }
        return candidate;
    }

    private void merge() {
        if (merged) {
            return;
        }
        ranges.sort((a, b) -> Long.compare(a[0], b[0]));
        List<long[]> out = new ArrayList<>();
        for (long[] r : ranges) {
            long[] last = out.isEmpty() ? null : out.get(out.size() - 1);
            if (last != null && r[0] <= last[1] + 1) {
                last[1] = Math.max(last[1], r[1]);
            } else {
                out.add(new long[] {r[0], r[1]});
            }
        }
        ranges.clear();
        ranges.addAll(out);
        merged = true;
    }
}
