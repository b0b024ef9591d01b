package io.weft.core.spi.store;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a store may need to connect, as the user gave it. Fields a store does not use are ignored.
 * Immutable.
 *
 * @param prefix          the key prefix, default {@code /coreos.com/network}
 * @param endpoints       etcd endpoints such as {@code http://127.0.0.1:2379}
 * @param caFile          CA certificate for TLS, or null
 * @param certFile        client certificate for TLS, or null
 * @param keyFile         client key for TLS, or null
 * @param username        etcd user, or null
 * @param password        etcd password, or null
 * @param netConfigPath   a file holding the network config (in-memory store), or null
 * @param requestTimeout  how long one request may take
 */
public record StoreOptions(String prefix, List<String> endpoints, Path caFile, Path certFile, Path keyFile,
        String username, String password, Path netConfigPath, Duration requestTimeout) {

    public static final String DEFAULT_PREFIX = "/coreos.com/network";
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(5);
    /** The etcd endpoint used when none is given, as flanneld's. */
    public static final String DEFAULT_ENDPOINT = "http://127.0.0.1:2379";

    public StoreOptions {
        prefix = prefix == null || prefix.isBlank() ? DEFAULT_PREFIX : stripTrailingSlash(prefix);
        endpoints = List.copyOf(Objects.requireNonNullElse(endpoints, List.of()));
        requestTimeout = Objects.requireNonNullElse(requestTimeout, DEFAULT_TIMEOUT);
    }

    /** Defaults everywhere. */
    public static StoreOptions defaults() {
        return new StoreOptions(null, null, null, null, null, null, null, null, null);
    }

    /** The key of the network config, {@code <prefix>/config}. */
    public String configKey() {
        return prefix + "/config";
    }

    /** The key prefix of leases, {@code <prefix>/subnets/}. */
    public String subnetsPrefix() {
        return prefix + "/subnets/";
    }

    private static String stripTrailingSlash(String p) {
        String s = p;
        while (s.length() > 1 && s.endsWith("/")) {
            s = s.substring(0, s.length() - 1);
        }
        return s;
    }
}
