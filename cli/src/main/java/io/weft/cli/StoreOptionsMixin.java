package io.weft.cli;

import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** The flags that say which store to use and how to reach it; shared by every command that needs one. */
final class StoreOptionsMixin {
    @Option(names = "--store", defaultValue = "etcd", paramLabel = "NAME",
            description = "Where config and leases live: etcd, or memory (this process only). Default: ${DEFAULT-VALUE}.")
    String store;

    @Option(names = "--etcd-endpoints", split = ",", paramLabel = "URL",
            description = "Comma-separated etcd endpoints. Default: " + StoreOptions.DEFAULT_ENDPOINT + ".")
    List<String> endpoints = new ArrayList<>();

    @Option(names = "--etcd-prefix", defaultValue = StoreOptions.DEFAULT_PREFIX, paramLabel = "PREFIX",
            description = "etcd key prefix. Default: ${DEFAULT-VALUE}.")
    String prefix;

    @Option(names = "--etcd-cafile", paramLabel = "FILE", description = "CA certificate to verify etcd with (TLS).")
    Path caFile;

    @Option(names = "--etcd-certfile", paramLabel = "FILE", description = "Client certificate for etcd (TLS).")
    Path certFile;

    @Option(names = "--etcd-keyfile", paramLabel = "FILE", description = "Client key for etcd (TLS).")
    Path keyFile;

    @Option(names = "--etcd-username", paramLabel = "USER", description = "etcd user name.")
    String username;

    @Option(names = "--etcd-password", paramLabel = "PASSWORD", description = "etcd password.")
    String password;

    @Option(names = "--net-config-path", paramLabel = "FILE",
            description = "With --store memory: read the network config from this JSON file.")
    Path netConfigPath;

    /** Opens the store these flags name, from the context's store providers; the caller closes it. */
    Store open(WeftCli.Context context) {
        return context.stores().get(store).create(toOptions());
    }

    StoreOptions toOptions() {
        List<String> eps = endpoints.isEmpty() ? List.of(StoreOptions.DEFAULT_ENDPOINT) : endpoints;
        return new StoreOptions(prefix, eps, caFile, certFile, keyFile, username, password, netConfigPath,
                StoreOptions.DEFAULT_TIMEOUT);
    }
}
