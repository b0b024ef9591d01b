package io.weft.it;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.store.etcd.EtcdStoreProvider;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A command-line client of the etcd store, run by lab tests inside a namespace (where the lab's etcd is
 * reachable) as its own JVM. Prints one line per command:
 * <ul>
 * <li>{@code create ENDPOINT SUBNET IP} → {@code created REVISION} or {@code exists}
 * <li>{@code renew ENDPOINT SUBNET IP REVISION} → {@code renewed REVISION} or {@code refused}: renews the lease
 *     as it was read at REVISION, the way a daemon renews the lease it holds
 * </ul>
 */
public final class StoreProbe {
    private static final Duration DAY = Duration.ofHours(24);

    private StoreProbe() {
    }

    public static void main(String[] args) {
        StoreOptions options = new StoreOptions(null, List.of(args[1]), null, null, null, null, null, null,
                Duration.ofSeconds(5));
        Ipv4Subnet subnet = Ipv4Subnet.parse(args[2]);
        LeaseAttrs attrs = LeaseAttrs.of(args[3], "udp");
        try (Store store = new EtcdStoreProvider().create(options)) {
            switch (args[0]) {
                case "create" -> {
                    CreateResult r = store.createLease(subnet, attrs, DAY);
                    System.out.println(r instanceof CreateResult.Created c ? "created " + c.lease().revision()
                            : "exists");
                }
                case "renew" -> {
                    Lease held = new Lease(subnet, attrs, Lease.Expiry.NEVER, Long.parseLong(args[4]));
                    Optional<Lease> renewed = store.renewLease(held, DAY);
                    System.out.println(renewed.map(l -> "renewed " + l.revision()).orElse("refused"));
                }
                default -> throw new IllegalArgumentException("unknown command " + args[0]);
            }
        }
        System.exit(0);
    }
}
