package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.linux.testing.Netns;
import io.weft.linux.testing.NetnsExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ESP reuseport program in the kernel: in a namespace this test makes, {@link EspSteeringProbe} sends
 * ESP-in-UDP datagrams of every sending queue to a group of reuseport sockets, and every one arrives on the socket
 * {@link EspSteering#queue} names (so each inbound SA has one reading thread), a non-ESP marker and a datagram too
 * short for an SPI on socket 0. Every packet stays on the namespace's loopback.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class EspSteeringNetnsTest {
    @RegisterExtension
    final NetnsExtension ns = new NetnsExtension("weft-espsteer", Need.root(), Need.iproute2());

    @ParameterizedTest
    @ValueSource(ints = {2, 3, 4})
    void everyDatagramArrivesOnTheSocketOfTheQueueItsSpiNames(int queues) throws Exception {
        Path log = Files.createTempFile("weft-espsteer-", ".log");
        try {
            Process probe = ns.get().start(EspSteeringProbe.class, log, String.valueOf(queues));
            Map<String, String> results = Netns.results(probe, log, 60);
            assertEquals("true", results.get("attached"), Files.readString(log));
            assertEquals("65", results.get("delivered"), Files.readString(log));
            assertEquals("0", results.get("mismatches"), Files.readString(log));
            String expected = results.get("expectedPerQueue");
            assertFalse(Arrays.stream(expected.split(",")).anyMatch("0"::equals),
                    "the SPIs chosen cover every queue: " + expected);
            assertEquals(expected, results.get("perQueue"));
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
