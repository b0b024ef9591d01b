package io.weft.it;

import static org.awaitility.Awaitility.await;

import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreContract;
import java.time.Duration;
import java.time.Instant;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/**
 * The shared store contract against a real etcd. Each test gets its own key prefix, so one member
 * serves the class. etcd's TTLs run on the wall clock, so passing time really waits.
 */
@Testcontainers
class EtcdStoreContractTest extends StoreContract {
    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    @Override
    protected Store newStore() {
        return EtcdStores.open(EtcdStores.freshPrefix(), ETCD);
    }

    @Override
    protected void compact(Store store, long revision) {
        ETCD.etcdctl("compaction", Long.toString(revision));
    }

    @Override
    protected void passTime(Duration d) {
        long start = System.nanoTime();
        await().pollDelay(d).atMost(d.plusSeconds(5)).until(() -> System.nanoTime() - start >= d.toNanos());
    }

    @Override
    protected Instant now() {
        return Instant.now();
    }
}
