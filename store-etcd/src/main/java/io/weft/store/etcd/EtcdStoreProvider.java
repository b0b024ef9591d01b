package io.weft.store.etcd;

import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.core.spi.store.StoreProvider;
import java.time.Clock;

/**
 * The {@code etcd} store: the network config and the leases live in etcd (v3 API), under the same keys
 * and in the same JSON as flannel's, so {@code etcdctl} and flannel see the same data. Cheap: nothing
 * connects until {@link #create} is called. Stateless and thread-safe.
 */
public final class EtcdStoreProvider implements StoreProvider {
    @Override
    public String name() {
        return "etcd";
    }

    /**
     * Connects lazily (the first request dials); option errors, such as a missing certificate file,
     * fail here with a message naming the flag.
     */
    @Override
    public Store create(StoreOptions options) {
        EtcdConnection connection = EtcdConnection.open(options);
        return new EtcdStore(connection, options, Clock.systemUTC());
    }
}
