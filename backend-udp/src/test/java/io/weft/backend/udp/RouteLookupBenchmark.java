package io.weft.backend.udp;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.backend.NetworkEvent;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The data path's route lookup ({@link RouteTable#lookup}) at 10 and at 5,000 peers: the table a daemon of a
 * 5,000-host cluster holds, built as the daemon builds it ({@link RouteUpdates}, one batch of peer events), in
 * {@code 100.64.0.0/10} with /24 subnets. Each operation looks up 1,024 destinations in peers spread over the
 * table (every peer at 10), so the 5,000-peer table is read across its size rather than from one cached line. {@code scripts/bench-scale}
 * runs it with {@code -p peers=10,5000}; never a test.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RouteLookupBenchmark {
    static final int LOOKUPS = 1024;

    @Param({"10", "5000"})
    public int peers;

    private RouteTable table;
    private final int[] destinations = new int[LOOKUPS];

    /** The table for {@code peers} peers, built from one batch of events, as a daemon's first sync builds it. */
    static RouteTable table(int peers) {
        Ipv4Subnet network = Ipv4Subnet.parse("100.64.0.0/10");
        Ipv4Subnet own = subnet(0);
        List<NetworkEvent> events = new ArrayList<>(peers);
        for (int i = 1; i <= peers; i++) {
            events.add(new NetworkEvent.PeerAdded(new Lease(subnet(i),
                    LeaseAttrs.of("198." + (18 + i / 65_536) + "." + (i / 256 % 256) + "." + (i % 256), "udp"),
                    Instant.EPOCH.plusSeconds(86_400), i)));
        }
        return new RouteUpdates(UdpBackend.TYPE, null).apply(RouteTable.empty(network, own, 8285), events);
    }

    /** Subnet {@code i} of 100.64.0.0/10 in /24s, spread so that neighbours are not adjacent. */
    static Ipv4Subnet subnet(int i) {
        int index = (int) ((i * 2654435761L) % 16_383) + 1;
        return Ipv4Subnet.parse("100." + (64 + index / 256) + "." + (index % 256) + ".0/24");
    }

    @Setup
    public void setUp() {
        table = table(peers);
        for (int i = 0; i < LOOKUPS; i++) {
            // A host address inside peer (i % peers)'s subnet.
            destinations[i] = subnet(1 + i * 7919 % peers).base() + 1 + i % 250;
        }
    }

    /** Looks up {@link #LOOKUPS} destinations; the result is the sum of the entry indexes found. */
    @Benchmark
    public int lookup1024() {
        int sum = 0;
        for (int d : destinations) {
            sum += table.lookup(d);
        }
        return sum;
    }
}
