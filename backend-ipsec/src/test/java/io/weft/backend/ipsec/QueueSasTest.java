package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.ManualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Per-queue SAs: each sending queue of a host has its own SA to each peer, named in its SPI's low 2 bits, with
 * its own key and sequence numbers, and the receiver keeps each queue's SAs and replay windows apart; hosts that
 * run different queue counts agree on every key.
 */
class QueueSasTest {
    static final long T0 = 1_770_000_000L;
    static final long SECOND = 1_000_000_000L;
    private final X25519Keys ka = X25519Keys.generate(TestKeys.seeded(1));
    private final X25519Keys kb = X25519Keys.generate(TestKeys.seeded(2));
    private final SaKeyDerivation derivation = new SaKeyDerivation(TestKeys.PSK, 256);
    private final RekeyPolicy policy = RekeyPolicy.of(Duration.ofSeconds(20));
    private final EspStats statsA = new EspStats();
    private final EspStats statsB = new EspStats();
    /** Four queues. */
    private final EspTransform a = transform(ka, statsA, "198.18.0.1", 4);
    /** Two queues. */
    private final EspTransform b = transform(kb, statsB, "198.18.0.2", 2);
    private final EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
    private final EspTransform.Session toA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));

    private EspTransform transform(X25519Keys keys, EspStats stats, String ip, int queues) {
        return new EspTransform(keys, derivation, policy, AeadKind.DATA_PATH, TestKeys.seeded(9), stats, ip,
                new ManualClock(), queues);
    }

    private static ByteBuffer seal(EspTransform from, EspTransform.Session to, int queue, long nanos, long epoch) {
        ByteBuffer esp = ByteBuffer.allocateDirect(300);
        int n = from.seal(to, queue, TestKeys.packet(100, queue), esp, nanos, epoch);
        assertTrue(n > 0, "sealed: " + n);
        return esp.flip();
    }

    private static int open(EspTransform at, EspTransform.Session from, ByteBuffer esp, long nanos, long epoch) {
        return at.open(from, esp.duplicate(), ByteBuffer.allocateDirect(300), nanos, epoch);
    }

    @Test
    void eachSendingQueueHasItsOwnSpiKeyAndSequenceAndTheReceiverOpensEvery() {
        Set<Integer> spis = new HashSet<>();
        for (int q = 0; q < 4; q++) {
            ByteBuffer esp = seal(a, toB, q, 0, T0 + 1);
            int spi = esp.getInt(0);
            assertEquals(q, Esp.queueOf(spi), Esp.spiHex(spi));
            assertEquals((int) T0 | q, spi, "the clock rounded down to 4 s, the queue in the low bits");
            assertEquals(1, esp.getInt(4), "queue " + q + " counts its own sequence numbers");
            spis.add(spi);
            assertEquals(100, open(b, toA, esp, 0, T0 + 1), "B (2 queues) opens A's queue " + q);
            assertEquals(spi, toA.in(q).current().spi());
        }
        assertEquals(4, spis.size());
        assertEquals(4, statsA.outboundSaCount());
        assertEquals(4, statsB.inboundSaCount());
        assertEquals(0, statsB.dropCounts().size(), statsB.dropCounts().toString());
    }

    @Test
    void theKeysOfEachQueueDifferAndBothSidesDeriveThem() {
        PeerKeys atA = new PeerKeys(derivation, ka, TestKeys.ALICE_IP, kb.publicKey(), TestKeys.BOB_IP, AeadKind.JDK,
                TestKeys.seeded(3));
        PeerKeys atB = new PeerKeys(derivation, kb, TestKeys.BOB_IP, ka.publicKey(), TestKeys.ALICE_IP, AeadKind.JDK,
                TestKeys.seeded(4));
        Set<String> keys = new HashSet<>();
        for (int q = 0; q < Esp.SA_QUEUES; q++) {
            int spi = (int) Esp.nextSpi(T0, 0, q);
            SaKey out = atA.outboundKey(spi);
            assertEquals(out, atB.inboundKey(spi), "both hosts derive queue " + q + "'s key");
            keys.add(TestKeys.hex(out.key()));
            assertFalse(Arrays.equals(out.key(), atA.inboundKey(spi).key()), "the directions never share a key");
        }
        assertEquals(Esp.SA_QUEUES, keys.size(), "one key per queue");
    }

    @Test
    void aHostWithFewerQueuesUsesOnlyTheirInboundStatesAtTheOther() {
        for (int q = 0; q < 2; q++) {
            assertEquals(100, open(a, toB, seal(b, toA, q, 0, T0), 0, T0));
        }
        assertEquals((int) T0, toB.in(0).current().spi());
        assertEquals((int) T0 | 1, toB.in(1).current().spi());
        assertNull(toB.in(2).current());
        assertNull(toB.in(3).current());
        assertEquals(2, toA.queues());
        assertEquals(4, toB.queues());
        assertThrows(ArrayIndexOutOfBoundsException.class, () -> b.seal(toA, 2, TestKeys.packet(100, 1),
                ByteBuffer.allocateDirect(300), 0, T0), "B has no third sending queue");
    }

    @Test
    void eachQueuesSasHaveTheirOwnReplayWindow() {
        ByteBuffer q0 = seal(a, toB, 0, 0, T0);
        ByteBuffer q1 = seal(a, toB, 1, 0, T0);
        assertEquals(q0.getInt(4), q1.getInt(4), "the same sequence number on two queues");
        assertEquals(100, open(b, toA, q0, 0, T0));
        assertEquals(100, open(b, toA, q1, 0, T0), "queue 1's sequence number 1 is no replay of queue 0's");
        assertEquals(EspDrop.REPLAY.code(), open(b, toA, q0, 0, T0));
        assertEquals(EspDrop.REPLAY.code(), open(b, toA, q1, 0, T0));
        ByteBuffer moved = seal(a, toB, 0, 0, T0);
        moved.putInt(0, q1.getInt(0));
        assertEquals(EspDrop.AUTH_FAILED.code(), open(b, toA, moved, 0, T0), "queue 0's packet under queue 1's SPI");
    }

    @Test
    void queuesRotateApartAndOneQueuesNewSaDoesNotRetireAnothers() {
        assertEquals(100, open(b, toA, seal(a, toB, 0, 0, T0), 0, T0));
        assertEquals(100, open(b, toA, seal(a, toB, 1, 0, T0), 0, T0));
        // Queue 0 rotates at 25 s; queue 1 sends nothing until 40 s, still on its first SA.
        ByteBuffer rotated = seal(a, toB, 0, 25 * SECOND, T0 + 25);
        assertEquals((int) (T0 + 24), rotated.getInt(0));
        assertEquals(100, open(b, toA, rotated, 25 * SECOND, T0 + 25));
        long late = 40 * SECOND;
        ByteBuffer oldQueue1 = ByteBuffer.allocateDirect(300);
        toB.out(1).peek().seal(TestKeys.packet(100, 1), oldQueue1);
        oldQueue1.flip();
        assertEquals((int) T0 | 1, oldQueue1.getInt(0));
        assertEquals(100, open(b, toA, oldQueue1, late, T0 + 40), "queue 1's SA is still its current one");
        assertEquals(1, toA.in(0).changes());
        assertEquals(0, toA.in(1).changes());
        assertEquals(1, toB.out(0).rotations());
        assertEquals(0, toB.out(1).rotations());
    }

    /**
     * Forged fresh SPIs far from the peer's clock are derived only out of a budget, and each sending queue's inbound
     * state has its own: a flood on one queue's SPIs leaves another queue's new SA derivable, and a flood on all
     * four costs at most four budgets.
     */
    @Test
    void derivationBudgetsArePerSendingQueue() {
        ByteBuffer real = seal(a, toB, 0, 0, T0);
        assertEquals(100, open(b, toA, real, 0, T0));
        for (int q = 0; q < Esp.SA_QUEUES; q++) {
            for (int i = 0; i < 10; i++) {
                ByteBuffer forged = ByteBuffer.allocateDirect(real.remaining()).put(real.duplicate()).flip();
                forged.putInt(0, (int) (T0 + 40 + 4 * i) | q).putInt(4, 7);
                int expect = i < InboundState.OTHER_BUDGET ? EspDrop.AUTH_FAILED.code() : EspDrop.UNKNOWN_SPI.code();
                assertEquals(expect, open(b, toA, forged, SECOND, T0 + 1), "queue " + q + ", forged SPI " + i);
            }
        }
        long derivations = 0;
        for (int q = 0; q < Esp.SA_QUEUES; q++) {
            derivations += toA.in(q).derivations();
        }
        assertEquals(1 + Esp.SA_QUEUES * InboundState.OTHER_BUDGET, derivations);
        assertEquals(Esp.SA_QUEUES * (10 - InboundState.OTHER_BUDGET), statsB.drops(EspDrop.UNKNOWN_SPI));
    }

    /**
     * A UDP GRO train can carry several sending queues' datagrams to one socket, so two receiving threads may open
     * the same queue's SA at once: each queue's inbound state is opened under its own lock, so every packet still
     * opens exactly once (without it the two threads share one cipher and one replay window).
     */
    @Test
    @Timeout(60)
    void twoThreadsOpeningOneQueuesPacketsAtOnceOpenEachExactlyOnce() throws Exception {
        int packets = 1500; // less than the replay window, so neither thread can leave the other's packets behind it
        for (int q = 0; q < Esp.SA_QUEUES; q++) {
            List<ByteBuffer> sealed = new ArrayList<>();
            for (int i = 0; i < packets; i++) {
                sealed.add(seal(a, toB, q, 0, T0));
            }
            CountDownLatch start = new CountDownLatch(1);
            AtomicInteger opened = new AtomicInteger();
            ConcurrentLinkedQueue<Throwable> failures = new ConcurrentLinkedQueue<>();
            Thread[] threads = new Thread[2];
            for (int t = 0; t < threads.length; t++) {
                int first = t;
                threads[t] = new Thread(() -> {
                    try {
                        start.await();
                        ByteBuffer dst = ByteBuffer.allocateDirect(300);
                        for (int i = first; i < packets; i += 2) {
                            dst.clear();
                            if (b.open(toA, sealed.get(i).duplicate(), dst, 0, T0) == 100) {
                                opened.incrementAndGet();
                            }
                        }
                    } catch (Throwable e) {
                        failures.add(e);
                    }
                });
                threads[t].start();
            }
            start.countDown();
            for (Thread t : threads) {
                t.join();
            }
            assertEquals(List.of(), List.copyOf(failures));
            assertEquals(packets, opened.get(), "queue " + q + ": " + statsB.dropCounts());
        }
        assertEquals(0, statsB.dropCounts().size(), statsB.dropCounts().toString());
        assertEquals(EspDrop.REPLAY.code(), open(b, toA, seal(a, toB, 0, 0, T0).putInt(4, 1), 0, T0));
    }

    @Test
    void theSaListHasEachQueuesSas() {
        for (int q = 0; q < 4; q++) {
            assertEquals(100, open(b, toA, seal(a, toB, q, 0, T0), 0, T0));
        }
        List<SaRecord> atA = a.saRecords(List.of(toB));
        assertEquals(4, atA.size(), atA.toString());
        assertTrue(atA.stream().allMatch(SaRecord::outbound));
        List<SaRecord> atB = b.saRecords(List.of(toA));
        assertEquals(4, atB.stream().filter(r -> !r.outbound() && r.current()).count(), atB.toString());
    }

    @Test
    void spisOfAQueueRiseStrictlyAndKeepItsBits() {
        assertEquals(T0 | 3, Esp.nextSpi(T0 + 2, 0, 3));
        assertEquals((T0 + 4) | 3, Esp.nextSpi(T0 + 1, T0 | 3, 3), "within the same 4 s: the next step");
        assertEquals(T0 + 8, Esp.nextSpi(T0 + 9, T0 | 3, 0));
        assertEquals(Esp.MIN_SPI | 2, Esp.nextSpi(5, 0, 2), "never a reserved SPI");
        assertThrows(IllegalArgumentException.class, () -> Esp.nextSpi(T0, 0, Esp.SA_QUEUES));
        assertNotEquals(Esp.nextSpi(T0, 0, 0), Esp.nextSpi(T0, 0, 1));
    }

    @Test
    void aHostRunsAtMostAsManyQueuesAsTheSpiCanName() {
        assertThrows(IllegalArgumentException.class, () -> transform(ka, statsA, "198.18.0.1", Esp.SA_QUEUES + 1));
        assertThrows(IllegalArgumentException.class, () -> new OutboundState(null, policy, statsA, Esp.SA_QUEUES));
    }
}
