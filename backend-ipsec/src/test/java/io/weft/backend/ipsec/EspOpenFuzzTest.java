package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzz target for the receiving side of ESP with real keys: host A seals packets for host B with the SA pair
 * their key derivation gives (X25519 and the PSK, as {@link EspTransform} makes them from leases), and B opens
 * whatever the input makes of them: the datagrams as sent, in any order and repeated, with bytes flipped,
 * cut or extended, or made up, while the clock moves through SA rotations. Each datagram is opened in place
 * the way {@link EspPacketTransform} does, at a non-zero offset of a canary-filled buffer that ends with the
 * datagram. Seeds: {@code EspOpenFuzzTestInputs/}, written by {@link FuzzSeeds}.
 */
class EspOpenFuzzTest {
    private static final long T0 = 1_770_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long[] TICKS = {SECOND / 100, SECOND, 31 * SECOND, 61 * SECOND, 250 * SECOND};
    private static final X25519Keys KA = X25519Keys.generate(TestKeys.seeded(1));
    private static final X25519Keys KB = X25519Keys.generate(TestKeys.seeded(2));
    private static final int MAX_OPS = 64;
    /** What surrounds each datagram: written bytes show as differences. */
    private static final byte[] CANARY = canary();

    private static EspTransform transform(X25519Keys own, EspStats stats, String ip) {
        return new EspTransform(own, new SaKeyDerivation(TestKeys.PSK, 256), RekeyPolicy.of(Duration.ofSeconds(60)),
                AeadKind.DATA_PATH, TestKeys.seeded(3), stats, ip);
    }

    /** One datagram A sent, and whether B has accepted it yet. */
    private static final class Sent {
        final byte[] datagram;
        final byte[] inner;
        final int spi;
        boolean accepted;

        Sent(byte[] datagram, byte[] inner) {
            this.datagram = datagram;
            this.inner = inner;
            this.spi = ByteBuffer.wrap(datagram).getInt(0);
        }
    }

    /**
     * Properties: opening never throws and reads and writes only the datagram; the verdict is an inner length or
     * a known {@link EspDrop}, counted once in B's stats. B accepts a datagram only if it is, byte for byte, one
     * A sent and B has not accepted before (no forgery, no replay), and then returns exactly the packet A
     * sealed, right after the ESP header. No datagram makes B install an SA whose SPI A never used.
     *
     * <p>Input: operations to the end, each a byte (mod 6) and its arguments. 0 seal: 16-bit inner length
     * (20 to 1500), a pattern byte; 1 deliver: which sent datagram; 2 flip: which, how many (1-4), then 16-bit
     * positions and xor masks; 3 resize: which, 16-bit new length (up to 64 bytes longer); 4 made up: 16-bit
     * length and the bytes; 5 tick: the clock moves 10 ms, 1 s, 31 s, 61 s or 250 s (rotation is at 60 s).
     */
    @FuzzTest
    void open(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        EspStats statsA = new EspStats();
        EspStats statsB = new EspStats();
        EspTransform a = transform(KA, statsA, "198.18.0.1");
        EspTransform b = transform(KB, statsB, "198.18.0.2");
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", KB));
        EspTransform.Session toA = b.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", KA));
        List<Sent> sent = new ArrayList<>();
        Set<Integer> spis = new HashSet<>();
        long now = 0;
        int deliveries = 0;
        for (int ops = 0; ops < MAX_OPS && !in.exhausted(); ops++) {
            int op = in.u8() % 6;
            if (op == 0) {
                Sent s = seal(a, toB, 20 + in.u16() % 1481, in.u8(), now);
                sent.add(s);
                spis.add(s.spi);
            } else if (op == 5) {
                now += TICKS[in.u8() % TICKS.length];
            } else if (op == 4) {
                deliver(b, toA, statsB, in.bytes(in.u16() % 1600), sent, spis, now, deliveries++);
            } else if (!sent.isEmpty()) {
                Sent s = sent.get(in.u8() % sent.size());
                byte[] d = s.datagram.clone();
                if (op == 2) {
                    int flips = 1 + in.u8() % 4;
                    for (int i = 0; i < flips; i++) {
                        d[in.u16() % d.length] ^= (byte) (1 + in.u8() % 255);
                    }
                } else if (op == 3) {
                    d = Arrays.copyOf(d, in.u16() % (d.length + 64));
                }
                deliver(b, toA, statsB, d, sent, spis, now, deliveries++);
            }
        }
    }

    private static Sent seal(EspTransform a, EspTransform.Session toB, int length, int pattern, long now) {
        ByteBuffer inner = TestKeys.packet(length, pattern);
        byte[] innerBytes = TestKeys.bytes(inner, 0, length);
        ByteBuffer out = ByteBuffer.allocateDirect(length + 128);
        int n = a.seal(toB, inner, out, now, T0 + now / SECOND);
        assertEquals(Esp.espLength(length), n);
        return new Sent(TestKeys.bytes(out, 0, n), innerBytes);
    }

    private static void deliver(EspTransform b, EspTransform.Session toA, EspStats statsB, byte[] datagram,
            List<Sent> sent, Set<Integer> spis, long now, int k) {
        int off = 64 + k % 7;
        ByteBuffer buffer = ByteBuffer.allocateDirect(off + datagram.length + 64);
        buffer.put(0, CANARY, 0, buffer.capacity());
        buffer.put(off, datagram);
        ByteBuffer src = buffer.duplicate();
        src.limit(off + datagram.length).position(off);
        ByteBuffer dst = buffer.duplicate();
        dst.position(off + EspPacketTransform.HEADROOM);
        long openedBefore = statsB.openedCount();
        long[] dropsBefore = drops(statsB);
        int r = b.open(toA, src, dst, now, T0 + now / SECOND);
        byte[] after = TestKeys.bytes(buffer, 0, buffer.capacity());
        System.arraycopy(CANARY, off, after, off, datagram.length);
        int written = Arrays.mismatch(after, 0, after.length, CANARY, 0, after.length);
        if (written >= 0) {
            fail("byte " + written + " outside the datagram [" + off + ", " + (off + datagram.length) + ") was written");
        }
        if (r >= 0) {
            Sent match = sent.stream().filter(s -> Arrays.equals(s.datagram, datagram)).findFirst().orElse(null);
            assertTrue(match != null, "accepted a datagram A never sent");
            assertFalse(match.accepted, "accepted a datagram twice");
            match.accepted = true;
            assertEquals(match.inner.length, r);
            assertArrayEquals(match.inner, TestKeys.bytes(buffer, off + EspPacketTransform.HEADROOM, r));
            assertEquals(openedBefore + 1, statsB.openedCount());
        } else {
            EspDrop reason = EspDrop.fromCode(r);
            assertTrue(reason != EspDrop.NO_SA && reason != EspDrop.UNKNOWN_PEER, "a drop for a missing session");
            long[] dropsAfter = drops(statsB);
            dropsBefore[reason.ordinal()]++;
            assertArrayEquals(dropsBefore, dropsAfter, "the drop is counted once, as " + reason);
            assertEquals(openedBefore, statsB.openedCount());
        }
        InboundSa current = toA.in().current();
        InboundSa previous = toA.in().previous();
        assertTrue(current == null || spis.contains(current.spi()), "an SA A never used was installed");
        assertTrue(previous == null || spis.contains(previous.spi()), "an SA A never used was kept");
    }

    private static long[] drops(EspStats stats) {
        long[] out = new long[EspDrop.values().length];
        for (EspDrop d : EspDrop.values()) {
            out[d.ordinal()] = stats.drops(d);
        }
        return out;
    }

    private static byte[] canary() {
        byte[] c = new byte[64 + 8 + 1600 + 64 + 64];
        for (int i = 0; i < c.length; i++) {
            c[i] = (byte) (0xa5 ^ (i * 0x3b));
        }
        return c;
    }
}
