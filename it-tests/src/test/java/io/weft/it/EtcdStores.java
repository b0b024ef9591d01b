package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.store.etcd.EtcdStoreProvider;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/** Builds etcd stores for tests, through the public provider as the daemon does. Stateless. */
final class EtcdStores {
    static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(5);

    private EtcdStores() {
    }

    /** A prefix no other test uses, so each test starts with no leases and no config. */
    static String freshPrefix() {
        return "/weft-it-" + UUID.randomUUID() + "/network";
    }

    static StoreOptions options(String prefix, List<String> endpoints) {
        return new StoreOptions(prefix, endpoints, null, null, null, null, null, null, REQUEST_TIMEOUT);
    }

    static StoreOptions tlsOptions(String prefix, List<String> endpoints, Path ca, Path cert, Path key) {
        return new StoreOptions(prefix, endpoints, ca, cert, key, null, null, null, REQUEST_TIMEOUT);
    }

    static Store open(StoreOptions options) {
        return new EtcdStoreProvider().create(options);
    }

    static Store open(String prefix, EtcdContainer etcd) {
        return open(options(prefix, List.of(etcd.clientEndpoint())));
    }

    /** True once {@code store} fails with the "cannot reach etcd" error (and no other). */
    static boolean cannotReach(Store store) {
        try {
            store.listLeases();
            return false;
        } catch (WeftException e) {
            assertTrue(e.getMessage().startsWith("cannot reach etcd at "), e.getMessage());
            return true;
        }
    }
}
