package io.weft.it;

import io.weft.core.backend.alloc.AllocBackendProvider;
import io.weft.core.daemon.Daemon;
import io.weft.core.daemon.DaemonListener;
import io.weft.core.daemon.DaemonOptions;
import io.weft.core.daemon.ExternalInterfaceResolver;
import io.weft.core.lease.LeaseTimings;
import io.weft.core.plugin.PluginRegistry;
import io.weft.core.runtime.HostClock;
import io.weft.core.spi.backend.BackendProvider;
import io.weft.core.spi.store.StoreOptions;
import io.weft.core.spi.store.StoreProvider;
import io.weft.store.etcd.EtcdStoreProvider;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs the real daemon in this JVM on the etcd store, with {@code --iface lo}, a given PublicIP and no
 * healthz endpoint. Stateless.
 */
final class Daemons {
    private Daemons() {
    }

    static Daemon start(StoreOptions store, String publicIp, Path subnetFile, LeaseTimings timings,
            BackendProvider... extraBackends) {
        List<BackendProvider> backends = new java.util.ArrayList<>(List.of(new AllocBackendProvider()));
        backends.addAll(List.of(extraBackends));
        DaemonOptions options = new DaemonOptions("etcd", store, List.of("lo"), List.of(), publicIp, subnetFile,
                timings, false, "127.0.0.1", 0, false, null, false, null);
        Daemon daemon = new Daemon(options,
                PluginRegistry.of("store", StoreProvider::name, List.of(new EtcdStoreProvider())),
                PluginRegistry.of("backend", BackendProvider::name, backends),
                new ExternalInterfaceResolver(), HostClock.system(), DaemonListener.NONE);
        try {
            daemon.start();
        } catch (RuntimeException e) {
            daemon.close();
            throw e;
        }
        return daemon;
    }
}
