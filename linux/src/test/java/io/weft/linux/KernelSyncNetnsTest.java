package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.linux.testing.NetnsExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@link KernelSync} against the kernel, in a namespace this test creates and deletes (the netlink socket in a
 * child JVM inside it, {@link KernelSyncProbe}): missing wanted entries come back and are counted, entries in
 * weft's scope that no peer wants go only when pruning, and entries outside the scope are never touched.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class KernelSyncNetnsTest {
    @RegisterExtension
    final NetnsExtension namespace = new NetnsExtension("weft-ksync", Need.root(), Need.iproute2());

    @BeforeEach
    void addUnderlay() throws Exception {
        namespace.get().addVethPair("veth0", "veth1", "198.18.0.1/24");
    }

    @Test
    void repairsWhatIsMissingPrunesOnlyItsScopeAndOnlyWhenAsked() throws Exception {
        Map<String, String> r = namespace.get().probe(KernelSyncProbe.class, 60);
        assertEquals("{100.96.3.0/24=route ok, arp ok, fdb ok}", r.get("states"));
        // The route and the FDB entry deleted by hand come back (2 changes), the stale ones stay for now.
        assertEquals("2", r.get("firstResync"));
        assertEquals("{route=1, neighbour=0, fdb=1}", r.get("repaired1"));
        assertEquals("[10.9.0.0/24, 100.96.1.0/24, 100.96.3.0/24, 100.96.8.0/24, 100.96.9.0/24]", r.get("routes1"));
        // Pruning removes the two stale routes, the stale neighbour and the stale FDB entry: 4 changes.
        assertEquals("4", r.get("secondResync"));
        assertEquals("[10.9.0.0/24, 100.96.1.0/24, 100.96.3.0/24]", r.get("routes2"));
        assertEquals("[100.96.3.0]", r.get("neighbours2"));
        assertEquals("[0e:00:00:00:00:03]", r.get("fdb2"));
        assertEquals("0", r.get("thirdResync"), "nothing left to do");
        assertEquals("{route=1, neighbour=0, fdb=1}", r.get("repaired3"));
        // A peer that goes takes its entries with it; what is outside the scope stays.
        assertEquals("[10.9.0.0/24, 100.96.1.0/24]", r.get("routes3"));
        assertEquals("0", r.get("neighbours3"));
        assertEquals("0", r.get("fdb3"));
        assertEquals("{}", r.get("states3"));
    }
}
