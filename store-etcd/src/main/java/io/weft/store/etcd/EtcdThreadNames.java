package io.weft.store.etcd;

import io.vertx.core.impl.VertxThread;
import io.vertx.core.spi.VertxThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * Names the threads of the Vert.x instance under the etcd client for what they do: {@code vert.x-eventloop-thread-0}
 * becomes {@code weft-etcd-io-0}, the worker and internal blocking pools {@code weft-etcd-worker-N} and
 * {@code weft-etcd-blocking-N}. Vert.x finds it through {@code META-INF/services}
 * ({@code io.vertx.core.spi.VertxServiceProvider}), the one way its public API offers; weft starts no other
 * Vert.x instance. Stateless and thread-safe.
 */
public final class EtcdThreadNames implements VertxThreadFactory {
    @Override
    public VertxThread newVertxThread(Runnable target, String name, boolean worker, long maxExecTime,
            TimeUnit maxExecTimeUnit) {
        return VertxThreadFactory.super.newVertxThread(target, rename(name), worker, maxExecTime, maxExecTimeUnit);
    }

    static String rename(String name) {
        if (name.startsWith("vert.x-eventloop-thread-")) {
            return "weft-etcd-io-" + name.substring("vert.x-eventloop-thread-".length());
        }
        if (name.startsWith("vert.x-worker-thread-")) {
            return "weft-etcd-worker-" + name.substring("vert.x-worker-thread-".length());
        }
        if (name.startsWith("vert.x-internal-blocking-")) {
            return "weft-etcd-blocking-" + name.substring("vert.x-internal-blocking-".length());
        }
        return "weft-etcd-" + name;
    }
}
