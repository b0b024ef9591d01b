package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The ESP stage as the udp data path drives it: in place in one big direct buffer with 64 bytes of headroom
 * per slot, sealing into the headroom and opening behind the ESP header. Also measures the per-packet allocation
 * of the whole ESP stage on the data path's AES-GCM ({@link ComposedAesGcm}): GHASH's 16-byte digest and nothing
 * else, so a regression to per-packet buffers or to the JCE's Cipher (about 1.1 KB) shows.
 */
class EspPacketTransformTest {
    private static final int SLOT = 64 + 2048;
    private final X25519Keys ka = X25519Keys.generate(TestKeys.seeded(1));
    private final X25519Keys kb = X25519Keys.generate(TestKeys.seeded(2));
    private final EspStats statsA = new EspStats();
    private final EspStats statsB = new EspStats();
    private final EspPacketTransform a = transform(ka, statsA, "198.18.0.1");
    private final EspPacketTransform b = transform(kb, statsB, "198.18.0.2");
    /** A's state for peer B and B's for peer A, as their route tables would hold them. */
    private final EspTransform.Session toB = a.peerState(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
    private final EspTransform.Session toA = b.peerState(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));

    private static EspPacketTransform transform(X25519Keys own, EspStats stats, String ip) {
        return new EspPacketTransform(new EspTransform(own, new SaKeyDerivation(TestKeys.PSK, 256),
                RekeyPolicy.of(Duration.ofSeconds(60)), AeadKind.DATA_PATH, TestKeys.seeded(3), stats, ip,
                java.time.Clock.systemUTC(), 1));
    }

    private static void fill(ByteBuffer b, int at, int length, int seed) {
        for (int i = 0; i < length; i++) {
            b.put(at + i, (byte) (i * 31 + seed));
        }
    }

    /** Seals slot 1's packet on A, carries the datagram to slot 2 on B as recvmmsg would, opens it there. */
    private int roundTrip(ByteBuffer out, ByteBuffer in, int length, int seed) {
        int off = SLOT + 64;
        fill(out, off, length, seed);
        int esp = a.seal(toB, 0, out, off, length, System.nanoTime());
        assertEquals(Esp.espLength(length), esp);
        int to = 2 * SLOT + 64;
        for (int i = 0; i < esp; i++) {
            in.put(to + i, out.get(off - EspPacketTransform.HEADROOM + i));
        }
        return b.open(toA, 0, in, to, esp, System.nanoTime());
    }

    @Test
    void sealsIntoTheHeadroomAndOpensInPlace() {
        ByteBuffer out = ByteBuffer.allocateDirect(4 * SLOT);
        ByteBuffer in = ByteBuffer.allocateDirect(4 * SLOT);
        for (int length : new int[] {20, 21, 22, 23, 84, 1438}) {
            assertEquals(length, roundTrip(out, in, length, length));
            int at = 2 * SLOT + 64 + EspPacketTransform.HEADROOM;
            for (int i = 0; i < length; i++) {
                assertEquals((byte) (i * 31 + length), in.get(at + i), "byte " + i + " of " + length);
            }
        }
        assertEquals(0, statsB.dropCounts().size(), statsB.dropCounts().toString());
        assertEquals(EspDrop.UNKNOWN_PEER.code(), b.open(null, 0, in, 64, 100, 0), "a peer with no session");
    }

    @Test
    void aSealAllocatesOnlyGhashsDigest() {
        ByteBuffer out = ByteBuffer.allocateDirect(4 * SLOT);
        ByteBuffer in = ByteBuffer.allocateDirect(4 * SLOT);
        for (int i = 0; i < 20_000; i++) {
            roundTrip(out, in, 1400, i);
        }
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int packets = 20_000;
        long before = mx.getThreadAllocatedBytes(thread);
        int off = SLOT + 64;
        for (int i = 0; i < packets; i++) {
            a.seal(toB, 0, out, off, 1400, System.nanoTime());
        }
        long sealBytes = mx.getThreadAllocatedBytes(thread) - before;
        long perSeal = sealBytes / packets;
        System.out.println("FIGURE ESP seal (" + AeadKind.DATA_PATH.label() + ") allocates " + perSeal + " bytes/packet");
        assertEquals(AeadKind.COMPOSED, AeadKind.DATA_PATH);
        assertTrue(perSeal <= 40, "seal allocates " + perSeal + " bytes per packet");
    }
}
