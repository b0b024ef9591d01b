package io.weft.store.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What an etcd writer's bad keys may cost: a bounded set of bounded excerpts, whatever they write. */
class BadKeyReportsTest {
    private final BadKeyReports reports = new BadKeyReports("/coreos.com/network/subnets/");

    @Test
    void manyDistinctBadKeysAreRememberedUpToTheLimitOnly() {
        for (int i = 0; i < 100_000; i++) {
            String key = "/coreos.com/network/subnets/junk-" + i;
            reports.report(key, "ignoring key " + key);
        }
        assertEquals(BadKeyReports.LIMIT, reports.size());
    }

    @Test
    void aKeyIsRememberedOnceAndHugeKeysOnlyAsExcerpts() {
        String huge = "/coreos.com/network/subnets/" + "x".repeat(1_000_000);
        for (int i = 0; i < 10; i++) {
            reports.report(huge, "ignoring a huge key");
            reports.report("/coreos.com/network/subnets/bad", "ignoring key bad");
        }
        assertEquals(2, reports.size());
        // Keys that differ only past the excerpt's cut are remembered by it and their length: a handful here.
        for (int i = 0; i < 1000; i++) {
            reports.report(huge + i, "ignoring a huge key");
        }
        assertTrue(reports.size() <= 6, "size " + reports.size());
    }
}
