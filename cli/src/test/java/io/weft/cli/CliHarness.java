package io.weft.cli;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.plugin.PluginRegistry;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.store.CreateResult;
import io.weft.core.spi.store.LeaseSnapshot;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import io.weft.core.spi.store.StoreProvider;
import io.weft.core.spi.store.WatchResult;
import io.weft.store.memory.InMemoryStore;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs the real {@code weft} command in this JVM. Besides the stores found by ServiceLoader it offers
 * {@code --store shared}: one real in-memory store that outlives each command, standing in for an etcd
 * cluster that successive admin commands talk to.
 */
final class CliHarness {
    final InMemoryStore shared = new InMemoryStore(HostClock.system());
    final Map<String, String> env = new HashMap<>();
    final List<Runnable> shutdownHooks = new ArrayList<>();
    String stdin = "";
    /** The backend providers to offer instead of those ServiceLoader finds, when set. */
    List<BackendProvider> backends;
    /** The options the last command opened the shared store with. */
    volatile StoreOptions lastOptions;

    record Result(int code, String out, String err) {
    }

    Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        ClassLoader loader = getClass().getClassLoader();
        List<StoreProvider> stores = new ArrayList<>();
        PluginRegistry.load("store", StoreProvider.class, StoreProvider::name, loader).names()
                .forEach(n -> stores.add(PluginRegistry.load("store", StoreProvider.class, StoreProvider::name, loader).get(n)));
        stores.add(new SharedProvider());
        WeftCli cli = new WeftCli(
                PluginRegistry.of("store", StoreProvider::name, stores),
                backends == null
                        ? PluginRegistry.load("backend", BackendProvider.class, BackendProvider::name, loader)
                        : PluginRegistry.of("backend", BackendProvider::name, backends),
                hook -> {
                    synchronized (shutdownHooks) {
                        shutdownHooks.add(hook);
                    }
                },
                env,
                new ByteArrayInputStream(stdin.getBytes(StandardCharsets.UTF_8)),
                new PrintWriter(out), new PrintWriter(err));
        int code = cli.execute(args);
        return new Result(code, out.toString(), err.toString());
    }

    /** Serves {@link #shared}; closing a command's handle leaves the store open for the next command. */
    private final class SharedProvider implements StoreProvider {
        @Override
        public String name() {
            return "shared";
        }

        @Override
        public Store create(StoreOptions options) {
            lastOptions = options;
            return new Store() {
                @Override
                public String readNetworkConfig() {
                    return shared.readNetworkConfig();
                }

                @Override
                public void writeNetworkConfig(String json) {
                    shared.writeNetworkConfig(json);
                }

                @Override
                public LeaseSnapshot listLeases() {
                    return shared.listLeases();
                }

                @Override
                public CreateResult createLease(Ipv4Subnet subnet, LeaseAttrs attrs, Duration ttl) {
                    return shared.createLease(subnet, attrs, ttl);
                }

                @Override
                public Optional<Lease> updateLease(Lease held, LeaseAttrs attrs, Duration ttl) {
                    return shared.updateLease(held, attrs, ttl);
                }

                @Override
                public boolean deleteLease(Ipv4Subnet subnet) {
                    return shared.deleteLease(subnet);
                }

                @Override
                public WatchResult watchLeases(long afterRevision, Duration maxWait) throws InterruptedException {
                    return shared.watchLeases(afterRevision, maxWait);
                }

                @Override
                public void close() {
                }
            };
        }
    }
}
