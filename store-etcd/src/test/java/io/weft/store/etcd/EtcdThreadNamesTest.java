package io.weft.store.etcd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The names the etcd client's Vert.x threads get instead of Vert.x's own. */
class EtcdThreadNamesTest {
    @ParameterizedTest
    @CsvSource({
        "vert.x-eventloop-thread-0, weft-etcd-io-0",
        "vert.x-worker-thread-3, weft-etcd-worker-3",
        "vert.x-internal-blocking-1, weft-etcd-blocking-1",
        "vert.x-acceptor-thread-0, weft-etcd-vert.x-acceptor-thread-0",
    })
    void vertxThreadNamesSayTheyAreTheEtcdClients(String vertx, String weft) {
        assertEquals(weft, EtcdThreadNames.rename(vertx));
    }
}
