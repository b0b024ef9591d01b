package io.weft.backend.udp;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.ExternalInterface;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A port another process holds fails before any lease is taken, with one queue or several (SO_REUSEPORT). */
class UdpPortTakenTest {

    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4})
    void aTakenPortFailsPrepareWhateverTheQueues(int queues) throws Exception {
        try (DatagramSocket other = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
            int port = other.getLocalPort();
            ObjectNode fields = JsonNodeFactory.instance.objectNode().put("Type", "udp").put("Port", port)
                    .put("Queues", queues);
            NetworkConfig config = new NetworkConfig(Ipv4Subnet.parse("100.96.0.0/16"), 24,
                    Ipv4Subnet.parse("100.96.1.0/24"), Ipv4Subnet.parse("100.96.255.0/24"),
                    new BackendConfig("udp", fields));
            Backend backend = new UdpBackendProvider().create(new BackendContext(
                    new ExternalInterface("lo", "127.0.0.1", 65536), "127.0.0.1"));
            WeftException e = assertThrows(WeftException.class, () -> backend.prepare(config));
            assertTrue(e.getMessage().startsWith("bind UDP 127.0.0.1:" + port + " failed: Address already in use")
                    && e.getMessage().endsWith("another process uses port " + port
                            + ": stop it or set Backend.Port to a free port on every host"), e.getMessage());
            backend.close();
        }
    }
}
