package io.weft.core.spi.store;

/** Creates a {@link Store} by name; found with {@link java.util.ServiceLoader}. Implementations are cheap. */
public interface StoreProvider {

    /** The name users pick it by, e.g. {@code etcd} or {@code memory}. */
    String name();

    Store create(StoreOptions options);
}
