package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.config.LeaseJson;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.testing.ManualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
    private final ManualClock clock = new ManualClock();
    private final EspTransform a = transform(ka, TestKeys.PSK, statsA, "198.18.0.1");
    private final EspTransform b = transform(kb, TestKeys.PSK, statsB, "198.18.0.2");

    private EspTransform transform(X25519Keys keys, Psk psk, EspStats stats, String ip) {
        return new EspTransform(keys, new SaKeyDerivation(psk, 256), policy, AeadKind.DATA_PATH, TestKeys.seeded(9),
                stats, ip, clock, 1);
    }

    /** Seals on {@code from} with its session for the receiver, opens on {@code at} with its session for the sender. */
    private int deliver(EspTransform from, EspTransform.Session to, EspTransform at, EspTransform.Session source,
            long nanos, long epoch) {
        ByteBuffer esp = ByteBuffer.allocateDirect(300);
        int n = from.seal(to, 0, TestKeys.packet(100, 5), esp, nanos, epoch);
        if (n < 0) {
            return n;
        }
        esp.flip();
        return at.open(source, esp, ByteBuffer.allocateDirect(300), nanos, epoch);
    }

    @Test
    void leaseAttrsCarryThePublicKeyAndTakePartialChecksums() {
        LeaseRequest request = IpsecBackend.leaseRequest(ka, 1500);
        String json = LeaseJson.encode(new LeaseAttrs("198.18.0.1", null, request.backendType(),
                request.backendData()));
        assertEquals("{\"PublicIP\":\"198.18.0.1\",\"PublicIPv6\":null,\"BackendType\":\"ipsec\",\"BackendData\":"
                + "{\"PublicKey\":\"" + ka.publicKeyBase64() + "\",\"PartialChecksums\":true}}", json);
    }

    @Test
    void aSessionLeavesChecksumsPartialOnlyForAPeerWhoseLeaseSaysItTakesThem() throws Exception {
        assertTrue(a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb)).partialChecksums());
        for (String data : List.of("{\"PublicKey\":\"" + kb.publicKeyBase64() + "\"}",
                "{\"PublicKey\":\"" + kb.publicKeyBase64() + "\",\"PartialChecksums\":\"true\"}",
                "{\"PublicKey\":\"" + kb.publicKeyBase64() + "\",\"PartialChecksums\":false}")) {
            LeaseAttrs attrs = new LeaseAttrs("198.18.0.2", null, EspTransform.TYPE, new ObjectMapper().readTree(data));
            EspTransform.Session s = a.session(new Lease(Ipv4Subnet.parse("100.96.2.0/24"), attrs, null));
            assertFalse(s.partialChecksums(), data + ": complete checksums unless the lease says true");
        }
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
                + " likely has another PSK; compare the --ipsec-psk-file (or Backend.PSK) both hosts read"), warnings);
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

    /** Issue 12: an etcd writer flips a peer's key away and back; a captured packet must still be a replay. */
    @Test
    void flippingAPeersKeyAwayAndBackDoesNotReopenReplay() {
        X25519Keys other = X25519Keys.generate(TestKeys.seeded(77));
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session fromA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        ByteBuffer captured = ByteBuffer.allocateDirect(300);
        a.seal(toB, 0, TestKeys.packet(100, 5), captured, 0, T0);
        captured.flip();
        assertEquals(100, b.open(fromA, captured.duplicate(), ByteBuffer.allocateDirect(300), 0, T0));
        b.routed(List.of(fromA));
        EspTransform.Session flipped = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", other));
        b.routed(List.of(flipped));
        assertEquals(EspDrop.AUTH_FAILED.code(), b.open(flipped, captured.duplicate(), ByteBuffer.allocateDirect(300),
                SECOND, T0 + 1));
        // Two rotation periods later the key flips back.
        clock.advance(policy.interval().multipliedBy(2));
        EspTransform.Session back = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        b.routed(List.of(back));
        assertEquals(EspDrop.REPLAY.code(), b.open(back, captured.duplicate(), ByteBuffer.allocateDirect(300),
                40 * SECOND, T0 + 40));
        assertEquals(Map.of("198.18.0.1", 2L), b.keyChanges());
    }

    @Test
    void aKeysSaStateIsForgottenOnlyOnceNoSaItKnewCouldBeTakenAgain() {
        assertTrue(policy.retention().compareTo(policy.interval().multipliedBy(2)) >= 0);
        assertEquals(policy.interval().plus(policy.overlap()).plus(policy.clockSkew().multipliedBy(2)),
                policy.retention());
        EspTransform.Session fromA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        b.routed(List.of(fromA));
        b.routed(List.of());
        assertEquals(1, b.keptKeys());
        clock.advance(policy.retention());
        b.routed(List.of());
        assertEquals(1, b.keptKeys());
        clock.advance(java.time.Duration.ofMillis(1));
        b.routed(List.of());
        assertEquals(0, b.keptKeys());
    }

    @Test
    void aPeerWhoseLeaseChangedButNotItsKeyKeepsItsSas() {
        EspTransform.Session first = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        EspTransform.Session moved = b.session(TestKeys.lease("100.96.9.0/24", "198.18.0.1", ka));
        assertSame(first.in(0), moved.in(0));
        assertSame(first.out(0), moved.out(0));
        assertEquals(Map.of(), b.keyChanges());
    }

    @Test
    void aPeerThatPublishesThisHostsOwnKeyIsRefusedBothWays() {
        EspTransform clone = transform(ka, TestKeys.PSK, new EspStats(), "198.18.0.3");
        EspTransform.Session toClone = a.session(TestKeys.lease("100.96.3.0/24", "198.18.0.3", ka));
        EspTransform.Session atCloneFromA = clone.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        assertTrue(toClone.refusal().startsWith("it publishes this host's own PublicKey"), toClone.refusal());
        assertEquals(EspDrop.DUPLICATE_KEY.code(), deliver(a, toClone, clone, atCloneFromA, 0, T0));
        EspTransform.Session toA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        ByteBuffer esp = ByteBuffer.allocateDirect(300);
        b.seal(toA, 0, TestKeys.packet(100, 5), esp, 0, T0);
        esp.flip();
        assertEquals(EspDrop.DUPLICATE_KEY.code(), a.open(toClone, esp, ByteBuffer.allocateDirect(300), 0, T0));
        assertEquals(2, statsA.drops(EspDrop.DUPLICATE_KEY));
        assertNull(toClone.out(0).peek(), "no SA was made for it");
        assertEquals(List.of(), a.saRecords(List.of(toClone)));
    }

    @Test
    void twoPeersThatPublishOneKeyAreBothRefusedUntilOnlyOneDoes() {
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session toClone = a.session(TestKeys.lease("100.96.3.0/24", "198.18.0.3", kb));
        EspTransform.Session toA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        a.routed(List.of(toB, toClone));
        assertEquals("peer 198.18.0.3 publishes the same PublicKey (a copied key file or a cloned VM image?)",
                toB.refusal());
        assertEquals("peer 198.18.0.2 publishes the same PublicKey (a copied key file or a cloned VM image?)",
                toClone.refusal());
        assertEquals(EspDrop.DUPLICATE_KEY.code(), deliver(a, toB, b, toA, 0, T0));
        assertEquals(EspDrop.DUPLICATE_KEY.code(), deliver(b, toA, a, toB, 0, T0));
        a.routed(List.of(toB));
        assertNull(toB.refusal());
        assertEquals(100, deliver(a, toB, b, toA, 0, T0));
        assertEquals(100, deliver(b, toA, a, toB, 0, T0));
    }

    @Test
    void fingerprintsAreTheFirst8BytesOfTheKeysSha256() {
        // sha256 of 32 zero bytes: 66687aadf862bd776c8fc18b8e9f8e20089714856ee233b3902a591d0d5f2925
        assertEquals("66687aadf862bd77", X25519Keys.fingerprint("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="));
    }

    /** One forged packet from a peer that never verified is no evidence of another PSK. */
    @Test
    void oneFailingPacketGivesNoPskWarning() {
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session fromA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        ByteBuffer esp = ByteBuffer.allocateDirect(300);
        a.seal(toB, 0, TestKeys.packet(100, 5), esp, 0, T0);
        esp.flip();
        esp.put(esp.limit() - 1, (byte) (esp.get(esp.limit() - 1) ^ 1));
        assertEquals(EspDrop.AUTH_FAILED.code(), b.open(fromA, esp, ByteBuffer.allocateDirect(300), 0, T0));
        assertEquals(List.of(), b.newAuthenticationWarnings(List.of(fromA)));
    }

    @Test
    void failuresSpreadOverMoreThanTheWindowOrBesideAuthenticPacketsGiveNoPskWarning() {
        EspTransform other = transform(kb, Psk.of("another-psk-another-psk-another-psk!"), statsB, "198.18.0.2");
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session toA = other.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        long gap = InboundState.PSK_WINDOW_NANOS / (InboundState.PSK_FAILURES - 1) + 1;
        for (int i = 0; i < 3 * InboundState.PSK_FAILURES; i++) {
            long nanos = i * gap;
            assertEquals(EspDrop.AUTH_FAILED.code(), deliver(a, toB, other, toA, nanos, T0 + nanos / SECOND));
        }
        assertEquals(List.of(), other.newAuthenticationWarnings(List.of(toA)));

        // The right PSK, and forged packets between real ones: the peer verifies, so no warning.
        EspTransform.Session fromA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        long later = 3 * InboundState.PSK_FAILURES * gap;
        long epoch = T0 + later / SECOND;
        for (int i = 0; i < 20; i++) {
            assertEquals(100, deliver(a, toB, b, fromA, later + i, epoch));
            ByteBuffer forged = ByteBuffer.allocateDirect(300);
            a.seal(toB, 0, TestKeys.packet(100, 5), forged, later + i, epoch);
            forged.flip();
            forged.put(forged.limit() - 1, (byte) (forged.get(forged.limit() - 1) ^ 1));
            assertEquals(EspDrop.AUTH_FAILED.code(), b.open(fromA, forged, ByteBuffer.allocateDirect(300), later + i,
                    epoch));
        }
        assertEquals(List.of(), b.newAuthenticationWarnings(List.of(fromA)));
    }
}
