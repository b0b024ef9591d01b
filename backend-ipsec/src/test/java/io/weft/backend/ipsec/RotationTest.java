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
            new PeerKeys(derivation, alice, TestKeys.ALICE_IP, bob.publicKey(), TestKeys.BOB_IP, AeadKind.JDK,
                    TestKeys.seeded(3)), policy, stats, 0);
    private final InboundState receiver = new InboundState(
            new PeerKeys(derivation, bob, TestKeys.BOB_IP, alice.publicKey(), TestKeys.ALICE_IP, AeadKind.JDK,
                    TestKeys.seeded(4)), policy, stats);

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
        assertEquals(T0 + 8, spi, "SPIs stay strictly increasing within one second, in steps of 4 that keep the"
                + " queue bits");
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

    /** Issue 12: one forged packet with an SPI near the sender's clock used to hold the only candidate slot. */
    @Test
    void aForgedSpiNextToTheRealOneDoesNotDelayIt() {
        ByteBuffer a = send(0, T0);
        assertEquals(EspDrop.AUTH_FAILED.code(), receive(forged(a, T0 + 1, 1), 0, T0));
        assertEquals(50, receive(a, 1, T0));
        assertEquals(2, receiver.derivations());
    }

    @Test
    void aForgedPacketWithAKnownCandidatesSpiCostsAGcmTrialAndNoDerivation() {
        ByteBuffer a = send(0, T0);
        assertEquals(50, receive(a, 0, T0));
        for (int i = 0; i < 1000; i++) {
            assertEquals(EspDrop.AUTH_FAILED.code(), receive(forged(a, T0 + 2, i + 1), i, T0));
            assertEquals(EspDrop.AUTH_FAILED.code(), receive(forged(a, T0 + 60, i + 1), i, T0));
        }
        assertEquals(3, receiver.derivations(), "the real SA's, T0 + 2's and T0 + 60's");
        assertEquals(2000, receiver.authFailures());
    }

    @Test
    void spisFarFromTheSendersClockAreDerivedOnlyOutOfTheBudget() {
        ByteBuffer a = send(0, T0);
        assertEquals(50, receive(a, 0, T0));
        for (int i = 0; i < 10; i++) {
            int expect = i < InboundState.OTHER_BUDGET ? EspDrop.AUTH_FAILED.code() : EspDrop.UNKNOWN_SPI.code();
            assertEquals(expect, receive(forged(a, T0 + 10 + i, 1), SECOND, T0 + 1), "forged SPI " + i);
        }
        assertEquals(1 + InboundState.OTHER_BUDGET, receiver.derivations());
        assertEquals(EspDrop.UNKNOWN_SPI.code(), receive(forged(a, T0 + 30, 1), SECOND + 1, T0 + 1));
        assertEquals(EspDrop.AUTH_FAILED.code(), receive(forged(a, T0 + 30, 1),
                SECOND + InboundState.OTHER_REFILL_NANOS, T0 + 1));
        assertEquals(2 + InboundState.OTHER_BUDGET, receiver.derivations());
        // SPIs near the sender's clock have a budget of their own, which the others could not spend.
        assertEquals(EspDrop.AUTH_FAILED.code(), receive(forged(a, T0 + 2, 1), SECOND + 2, T0 + 1));
    }

    /** A forged copy of {@code real} with another SPI and sequence number: its ICV cannot verify. */
    private static ByteBuffer forged(ByteBuffer real, long spi, int seq) {
        ByteBuffer copy = ByteBuffer.allocateDirect(real.remaining());
        copy.put(real.duplicate()).flip();
        copy.putInt(0, (int) spi).putInt(4, seq);
        return copy;
    }

    /**
     * The attack of issue 12: while the sender's next SA is due, a forger sending from the sender's address floods
     * the receiver with SPIs it would take for a new SA, near the sender's clock and up to the 120 s ahead it
     * accepts, and with the real next SPI itself; 20 forged packets come between any two real ones. Every real
     * packet of the new SA is still taken, the first one installs it, and the forged packets caused only a few key
     * derivations.
     */
    @Test
    void theRealNextSaIsInstalledThroughAFloodOfForgedSpis() {
        ByteBuffer first = send(0, T0);
        assertEquals(50, receive(first, 0, T0));
        java.util.Random random = new java.util.Random(7);
        int forgedCount = 0;
        // One real packet every 10 ms; the SA is replaced at 20 s; 20 forged packets before each real one.
        for (long ms = 10; ms <= 26_000; ms += 10) {
            long nanos = ms * 1_000_000L;
            long epoch = T0 + ms / 1000;
            for (int k = 0; k < 20; k++) {
                long ahead = k % 2 == 0 ? random.nextInt(7) - 3 : 4 + random.nextInt(117);
                int r = receive(forged(first, epoch + ahead, 1 + random.nextInt(1 << 30)), nanos, epoch);
                assertTrue(r < 0, "a forged packet was taken at " + ms + " ms");
                forgedCount++;
            }
            ByteBuffer real = send(nanos, epoch);
            assertEquals(50, receive(real, nanos, epoch), "real packet at " + ms + " ms, SPI "
                    + Esp.spiHex(real.getInt(0)));
        }
        // The policy replaces an SA after 1000 packets: at 10 s and 20 s.
        assertEquals(2, sender.rotations());
        assertEquals(2, receiver.changes());
        assertEquals((int) (T0 + 20), receiver.current().spi());
        assertEquals(52_000, forgedCount);
        // About one expected SPI a second as the window moves, and the other budget's 4 a second.
        assertTrue(receiver.derivations() <= 26 * (1 + 4) + InboundState.EXPECTED_CAPACITY
                + InboundState.OTHER_BUDGET, "derivations: " + receiver.derivations());
    }

    @Test
    void aHostWithAnotherPskFailsAuthentication() {
        InboundState other = new InboundState(new PeerKeys(new SaKeyDerivation(
                Psk.of("a-different-psk-of-at-least-32-bytes"), 256), bob, TestKeys.BOB_IP, alice.publicKey(),
                TestKeys.ALICE_IP, AeadKind.JDK,
                TestKeys.seeded(5)), policy, stats);
        ByteBuffer esp = send(0, T0);
        assertEquals(EspDrop.AUTH_FAILED.code(), other.open(esp, ByteBuffer.allocateDirect(200), 0, T0));
        assertEquals(1, other.authFailures());
        assertTrue(!other.everVerified());
        assertTrue(!other.pskSuspected(), "one failing packet is no evidence of another PSK");
        assertNotEquals(0, esp.getInt(0));
    }
}
