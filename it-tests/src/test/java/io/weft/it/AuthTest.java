package io.weft.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.testcontainers.junit.jupiter.Container;
import org.testcontainers.junit.jupiter.Testcontainers;

/** etcd with auth on: --etcd-username/--etcd-password log in, and a wrong password says which flags to fix. */
@Testcontainers
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class AuthTest {
    private static final String ROOT = "--user=root:root-secret";

    @Container
    static final EtcdContainer ETCD = EtcdContainer.single();

    @BeforeAll
    static void enableAuth() {
        ETCD.etcdctl("user", "add", "root", "--new-user-password=root-secret");
        ETCD.etcdctl("user", "grant-role", "root", "root");
        ETCD.etcdctl("user", "add", "weft", "--new-user-password=weft-secret");
        ETCD.etcdctl("role", "add", "weft");
        ETCD.etcdctl("role", "grant-permission", "weft", "readwrite", "--prefix=true", "/coreos.com/network/");
        ETCD.etcdctl("user", "grant-role", "weft", "weft");
        ETCD.etcdctl("auth", "enable");
    }

    private static StoreOptions as(String user, String password) {
        return new StoreOptions(null, List.of(ETCD.clientEndpoint()), null, null, null, user, password, null,
                EtcdStores.REQUEST_TIMEOUT);
    }

    @Test
    void userWithARoleOnThePrefixReadsAndWrites() {
        try (Store store = EtcdStores.open(as("weft", "weft-secret"))) {
            store.writeNetworkConfig("{\"Network\":\"10.5.0.0/16\"}");
            assertEquals("{\"Network\":\"10.5.0.0/16\"}", store.readNetworkConfig());
            assertTrue(store.listLeases().leases().isEmpty());
        }
        assertEquals("{\"Network\":\"10.5.0.0/16\"}\n",
                ETCD.etcdctl(ROOT, "get", "/coreos.com/network/config", "--print-value-only"));
    }

    @Test
    void wrongPasswordNamesTheUserAndTheFlags() {
        try (Store store = EtcdStores.open(as("weft", "wrong"))) {
            WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
            assertTrue(e.getMessage().startsWith("etcd at " + ETCD.clientEndpoint() + " rejected user \"weft\": "),
                    e.getMessage());
            assertTrue(e.getMessage().endsWith("; check etcd-username and etcd-password"), e.getMessage());
        }
    }

    @Test
    void userWithoutPermissionIsToldWhatToGrant() {
        ETCD.etcdctl(ROOT, "user", "add", "nobody", "--new-user-password=nobody-secret");
        try (Store store = EtcdStores.open(as("nobody", "nobody-secret"))) {
            WeftException e = assertThrows(WeftException.class, store::readNetworkConfig);
            assertTrue(e.getMessage().contains("denied the request to read the network config at "
                    + "/coreos.com/network/config for user \"nobody\""), e.getMessage());
        }
    }
}
