package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.config.LeaseJson;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.backend.LeaseRequest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Two hosts' ESP stages talking through buffers, with sessions made from peers' leases as the udp data path's
 * route table makes them (whether a lease seen again keeps its session is RouteUpdatesTest's, in backend-udp).
 */
class EspTransformTest {
    static final long T0 = 1_770_000_000L;
    static final long SECOND = 1_000_000_000L;
    private final X25519Keys ka = X25519Keys.generate(TestKeys.seeded(1));
    private final X25519Keys kb = X25519Keys.generate(TestKeys.seeded(2));
    private final RekeyPolicy policy = RekeyPolicy.of(Duration.ofSeconds(20));
    private final EspStats statsA = new EspStats();
    private final EspStats statsB = new EspStats();
    private final EspTransform a = transform(ka, TestKeys.PSK, statsA, "198.18.0.1");
    private final EspTransform b = transform(kb, TestKeys.PSK, statsB, "198.18.0.2");

    private EspTransform transform(X25519Keys keys, Psk psk, EspStats stats, String ip) {
        return new EspTransform(keys, new SaKeyDerivation(psk, 256), policy, AeadKind.DATA_PATH, TestKeys.seeded(9),
                stats, ip);
    }

    /** Seals on {@code from} with its session for the receiver, opens on {@code at} with its session for the sender. */
    private int deliver(EspTransform from, EspTransform.Session to, EspTransform at, EspTransform.Session source,
            long nanos, long epoch) {
        ByteBuffer esp = ByteBuffer.allocateDirect(300);
        int n = from.seal(to, TestKeys.packet(100, 5), esp, nanos, epoch);
        if (n < 0) {
            return n;
        }
        esp.flip();
        return at.open(source, esp, ByteBuffer.allocateDirect(300), nanos, epoch);
    }

    @Test
    void leaseAttrsCarryThePublicKey() {
        LeaseRequest request = IpsecBackend.leaseRequest(ka, 1500);
        String json = LeaseJson.encode(new LeaseAttrs("198.18.0.1", null, request.backendType(),
                request.backendData()));
        assertEquals("{\"PublicIP\":\"198.18.0.1\",\"PublicIPv6\":null,\"BackendType\":\"ipsec\",\"BackendData\":"
                + "{\"PublicKey\":\"" + ka.publicKeyBase64() + "\"}}", json);
    }

    @Test
    void peersTalkBothWaysAndRotate() {
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session toA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        assertEquals(100, deliver(a, toB, b, toA, 0, T0));
        assertEquals(100, deliver(b, toA, a, toB, 0, T0));
        assertEquals(100, deliver(a, toB, b, toA, 25 * SECOND, T0 + 25));
        assertEquals(2, statsA.outboundSaCount());
        assertEquals(2, statsB.inboundSaCount());
        assertEquals(100, deliver(a, toB, b, toA, 26 * SECOND, T0 + 26));
        List<SaRecord> records = b.saRecords(List.of(toA));
        assertEquals(3, records.size(), records.toString());
        assertTrue(records.stream().anyMatch(r -> !r.outbound() && !r.current()));
        assertEquals(0, statsB.dropCounts().size(), statsB.dropCounts().toString());
    }

    @Test
    void peersWithoutAKeyGetNoSession() {
        assertNull(a.session(new Lease(Ipv4Subnet.parse("100.96.2.0/24"), LeaseAttrs.of("198.18.0.2", "ipsec"),
                null)));
        assertNull(a.session(new Lease(Ipv4Subnet.parse("100.96.3.0/24"), LeaseAttrs.of("198.18.0.3", "udp"), null)));
        EspTransform.Session toA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        assertEquals(EspDrop.NO_SA.code(), deliver(a, null, b, toA, 0, T0));
        assertEquals(1, statsA.drops(EspDrop.NO_SA));
        ByteBuffer junk = ByteBuffer.allocateDirect(64);
        assertEquals(EspDrop.UNKNOWN_PEER.code(), a.open(null, junk, ByteBuffer.allocateDirect(64), 0, T0));
    }

    @Test
    void anotherPskIsReportedOncePerPeer() {
        EspTransform other = transform(kb, Psk.of("another-psk-another-psk-another-psk!"), statsB, "198.18.0.2");
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session toA = other.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        for (int i = 0; i < 5; i++) {
            assertEquals(EspDrop.AUTH_FAILED.code(), deliver(a, toB, other, toA, i * SECOND, T0 + i));
        }
        List<String> warnings = other.newAuthenticationWarnings(List.of(toA));
        assertEquals(List.of("ESP packets from peer 198.18.0.1 (subnet 100.96.1.0/24) fail authentication: it most"
                + " likely has another Backend.PSK; check the network config it reads"), warnings);
        assertEquals(List.of(), other.newAuthenticationWarnings(List.of(toA)));
        assertEquals(5, statsB.drops(EspDrop.AUTH_FAILED));
    }

    /**
     * Cloned VM images share a key file: with the HKDF info bound to both PublicIPs, the clone at another address
     * still cannot open what is sealed for the original.
     */
    @Test
    void aCloneOfAPeersKeyAtAnotherAddressCannotOpenWhatIsSealedForThePeer() {
        EspTransform clone = transform(kb, TestKeys.PSK, new EspStats(), "198.18.0.3");
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session atCloneFromA = clone.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        assertEquals(EspDrop.AUTH_FAILED.code(), deliver(a, toB, clone, atCloneFromA, 0, T0));
    }
}
