package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The SA limits of {@link RekeyPolicy}, and what they promise a receiver that restarts. */
class RekeyPolicyTest {
    static final long T0 = 1_770_000_000L;
    private final X25519Keys alice = X25519Keys.generate(TestKeys.seeded(1));
    private final X25519Keys bob = X25519Keys.generate(TestKeys.seeded(2));
    private final SaKeyDerivation derivation = new SaKeyDerivation(TestKeys.PSK, 256);

    private InboundState freshReceiver(RekeyPolicy policy) {
        return new InboundState(new PeerKeys(derivation, bob, TestKeys.BOB_IP, alice.publicKey(), TestKeys.ALICE_IP,
                AeadKind.JDK, TestKeys.seeded(4)), policy, new EspStats());
    }

    private static ByteBuffer seal(OutboundSa sa, int seed) {
        ByteBuffer out = ByteBuffer.allocateDirect(200);
        sa.seal(TestKeys.packet(50, seed), out);
        return out.flip();
    }

    /**
     * A receiver that restarts knows nothing of the sender's SA, so its window starts at 0, and a sequence number
     * more than 2^31 ahead of it looks like an old packet (RFC 4303 appendix A2.2): with the default limit, even the
     * last packet of an SA is one it takes, so it resynchronises without waiting for the next rotation.
     */
    @Test
    void aRestartedReceiverTakesEvenTheLastPacketOfAnSaAtTheDefaultLimit() {
        RekeyPolicy policy = RekeyPolicy.of(Duration.ofHours(1));
        OutboundState sender = new OutboundState(new PeerKeys(derivation, alice, TestKeys.ALICE_IP, bob.publicKey(),
                TestKeys.BOB_IP, AeadKind.JDK, TestKeys.seeded(3)), policy, new EspStats(), 0);
        OutboundSa sa = sender.current(0, T0);
        sa.skipTo(policy.maxPackets() - 1);
        ByteBuffer last = seal(sa, 1);
        assertEquals(50, freshReceiver(policy).open(last, ByteBuffer.allocateDirect(200), 0, T0));
        assertEquals(policy.maxPackets(), Integer.toUnsignedLong(last.getInt(4)));
        assertTrue(policy.due(0, sa.seq(), 0), "the sender replaces the SA after its last packet");
        assertEquals(RekeyPolicy.MAX_PACKETS, policy.maxPackets());
    }

    @Test
    void theLimitStaysBelow2To31LessTheReplayWindow() {
        assertTrue(RekeyPolicy.MAX_PACKETS < (1L << 31) - ReplayWindow.SIZE, "" + RekeyPolicy.MAX_PACKETS);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new RekeyPolicy(
                Duration.ofSeconds(10), RekeyPolicy.MAX_PACKETS + 1, Duration.ofSeconds(30), Duration.ofSeconds(120)));
        assertEquals("maxPackets 2147481664 is above 2147481663: a receiver that restarts could not resynchronise"
                + " (2^31 less the replay window)", e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new RekeyPolicy(Duration.ofSeconds(10), 0,
                Duration.ofSeconds(30), Duration.ofSeconds(120)));
    }
}
