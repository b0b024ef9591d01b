package io.weft.store.memory;

import io.weft.core.WeftException;
import io.weft.core.config.NetworkConfigParser;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.core.spi.store.StoreProvider;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

/**
 * The {@code memory} store: leases live in this process only. The network config comes from
 * {@code --net-config-path FILE}, read and validated once at start.
 */
public final class InMemoryStoreProvider implements StoreProvider {
    @Override
    public String name() {
        return "memory";
    }

    @Override
    public Store create(StoreOptions options) {
        String config = null;
        if (options.netConfigPath() != null) {
            try {
                config = Files.readString(options.netConfigPath(), StandardCharsets.UTF_8);
            } catch (NoSuchFileException e) {
                throw new WeftException("net-config-path " + options.netConfigPath()
                        + " does not exist: give the path of a network config JSON file");
            } catch (IOException e) {
                throw new WeftException("net-config-path " + options.netConfigPath() + " cannot be read: " + e);
            }
            NetworkConfigParser.parse(config);
        }
        return new InMemoryStore(HostClock.system(), config, InMemoryStore.DEFAULT_HISTORY_LIMIT);
    }
}
