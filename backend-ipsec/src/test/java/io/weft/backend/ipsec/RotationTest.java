package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** SA rotation between two simulated hosts, with clocks under the test's control. */
class RotationTest {
    static final long SECOND = 1_000_000_000L;
    static final long T0 = 1_770_000_000L;
    private final X25519Keys alice = X25519Keys.generate(TestKeys.seeded(1));
    private final X25519Keys bob = X25519Keys.generate(TestKeys.seeded(2));
    private final SaKeyDerivation derivation = new SaKeyDerivation(TestKeys.PSK, 256);
    private final RekeyPolicy policy = new RekeyPolicy(Duration.ofSeconds(20), 1000, Duration.ofSeconds(5),
            Duration.ofSeconds(120));
    private final EspStats stats = new EspStats();
    private final OutboundState sender = new OutboundState(
            new PeerKeys(derivation, alice, bob.publicKey(), "bob", AeadKind.JDK, TestKeys.seeded(3)), policy, stats);
    private final InboundState receiver = new InboundState(
            new PeerKeys(derivation, bob, alice.publicKey(), "alice", AeadKind.JDK, TestKeys.seeded(4)), policy, stats);

    /** Seals a packet at sender time (nanos, epoch seconds). */
    private ByteBuffer send(long nanos, long epoch) {
        OutboundSa sa = sender.current(nanos, epoch);
        ByteBuffer out = ByteBuffer.allocateDirect(200);
        sa.seal(TestKeys.packet(50, (int) sa.seq()), out);
        return out.flip();
    }

    private int receive(ByteBuffer esp, long nanos, long epoch) {
        return receiver.open(esp.duplicate(), ByteBuffer.allocateDirect(200), nanos, epoch);
    }

    @Test
    void rotatesByTimeAndTheOldSaOverlaps() {
        ByteBuffer first = send(0, T0);
        int spi1 = first.getInt(0);
        assertEquals((int) T0, spi1);
        assertEquals(50, receive(first, 0, T0));
        ByteBuffer lateOld = send(19 * SECOND, T0 + 19);
        ByteBuffer second = send(20 * SECOND, T0 + 20);
        int spi2 = second.getInt(0);
        assertEquals((int) (T0 + 20), spi2);
        assertEquals(1, sender.rotations());
        assertEquals(50, receive(second, 20 * SECOND, T0 + 20));
        assertEquals(spi2, receiver.current().spi());
        assertEquals(spi1, receiver.previous().spi());
        // An old-SA packet still in flight is accepted during the overlap, and not after it.
        assertEquals(50, receive(lateOld, 21 * SECOND, T0 + 21));
        ByteBuffer older = send(20 * SECOND + 1, T0 + 20);
        assertEquals(50, receive(older, 21 * SECOND, T0 + 21));
        assertEquals(EspDrop.REPLAY.code(), receive(lateOld, 22 * SECOND, T0 + 22));
        assertEquals(1, receiver.changes());
        assertEquals(2, stats.outboundSaCount());
        assertEquals(2, stats.inboundSaCount());
    }

    @Test
    void theOverlapEnds() {
        ByteBuffer a = send(0, T0);
        assertEquals(50, receive(a, 0, T0));
        ByteBuffer old = send(SECOND, T0 + 1);
        ByteBuffer b = send(21 * SECOND, T0 + 21);
        assertEquals(50, receive(b, 21 * SECOND, T0 + 21));
        assertEquals(EspDrop.EXPIRED_SA.code(), receive(old, 27 * SECOND, T0 + 27));
        assertNull(receiver.previous());
    }

    @Test
    void rotatesBeforeTheSequenceLimit() {
        long spi = -1;
        for (int i = 0; i < 2500; i++) {
            long nanos = i * 5_000_000L;
            ByteBuffer esp = send(nanos, T0);
            assertEquals(50, receive(esp, nanos, T0), "packet " + i);
            assertTrue(Integer.toUnsignedLong(esp.getInt(4)) <= 1000);
            spi = Integer.toUnsignedLong(esp.getInt(0));
        }
        assertEquals(2, sender.rotations());
        assertEquals(T0 + 2, spi, "SPIs stay strictly increasing within one second");
    }

    @Test
    void aReplayedPacketFromAnOlderSaIsRefused() {
        ByteBuffer old = send(0, T0);
        assertEquals(50, receive(old, 0, T0));
        ByteBuffer mid = send(20 * SECOND, T0 + 20);
        assertEquals(50, receive(mid, 20 * SECOND, T0 + 20));
        ByteBuffer now = send(40 * SECOND, T0 + 40);
        assertEquals(50, receive(now, 40 * SECOND, T0 + 40));
        assertEquals(EspDrop.EXPIRED_SA.code(), receive(old, 41 * SECOND, T0 + 41));
        assertEquals(EspDrop.REPLAY.code(), receive(mid, 41 * SECOND, T0 + 41));
        assertEquals(EspDrop.REPLAY.code(), receive(now, 41 * SECOND, T0 + 41));
    }

    @Test
    void forgedOrStaleSpisDoNotDisplaceTheSa() {
        ByteBuffer a = send(0, T0);
        assertEquals(50, receive(a, 0, T0));
        int spi = a.getInt(0);
        ByteBuffer forged = send(SECOND, T0 + 1);
        forged.putInt(0, spi + 5);
        assertEquals(EspDrop.AUTH_FAILED.code(), receive(forged, SECOND, T0 + 1));
        assertEquals(spi, receiver.current().spi());
        ByteBuffer far = send(2 * SECOND, T0 + 2);
        far.putInt(0, (int) (T0 + 100_000));
        assertEquals(EspDrop.EXPIRED_SA.code(), receive(far, 2 * SECOND, T0 + 2));
        assertEquals(1, receiver.authFailures());
    }

    @Test
    void newSpisAreRateLimited() {
        ByteBuffer a = send(0, T0);
        ByteBuffer forged = a.duplicate();
        ByteBuffer copy = ByteBuffer.allocateDirect(forged.remaining());
        copy.put(forged).flip();
        copy.putInt(0, (int) T0 + 7);
        assertEquals(EspDrop.AUTH_FAILED.code(), receive(copy, 0, T0));
        assertEquals(EspDrop.UNKNOWN_SPI.code(), receive(a, 1, T0));
        assertEquals(50, receive(a, InboundState.CANDIDATE_INTERVAL_NANOS, T0));
    }

    @Test
    void aHostWithAnotherPskFailsAuthentication() {
        InboundState other = new InboundState(new PeerKeys(new SaKeyDerivation(
                Psk.of("a-different-psk-of-at-least-32-bytes"), 256), bob, alice.publicKey(), "alice", AeadKind.JDK,
                TestKeys.seeded(5)), policy, stats);
        ByteBuffer esp = send(0, T0);
        assertEquals(EspDrop.AUTH_FAILED.code(), other.open(esp, ByteBuffer.allocateDirect(200), 0, T0));
        assertEquals(1, other.authFailures());
        assertTrue(!other.everVerified());
        assertNotEquals(0, esp.getInt(0));
    }
}
