package io.weft.backend.ipsec;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.ByteBuffer;
import java.time.Clock;
import java.time.Duration;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Where the CPU of one 1,400-byte packet goes on the ipsec path: a bare {@code Cipher.init}, the AEAD alone
 * ({@link JdkAesGcm} and {@link ComposedAesGcm}, seal and open), and the whole ESP stage as the data path calls it
 * ({@link EspPacketTransform} seal and open, with SA lookup, replay window and counters, the clock read once per
 * batch of 1,000 as the data path reads it once per batch). A measurement, not a
 * test: it reports thread CPU time per packet (less disturbed by other processes than wall time on a shared
 * machine), the median of 5 rounds. Run it with
 * {@code java --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED -cp "$(cat target/jmh.classpath):target/classes:target/test-classes" io.weft.backend.ipsec.EspPathCost}
 * after {@code backend-ipsec/scripts/ipsec-jmh} made the classpath file, or from an IDE.
 */
public final class EspPathCost {
    private static final int SIZE = 1400;
    private static final int PACKETS = 200_000;
    private static final int ROUNDS = 5;
    private static final ThreadMXBean MX = ManagementFactory.getThreadMXBean();

    private EspPathCost() {
    }

    public static void main(String[] args) throws Exception {
        X25519Keys ka = X25519Keys.generate(TestKeys.seeded(1));
        X25519Keys kb = X25519Keys.generate(TestKeys.seeded(2));
        EspPacketTransform a = transform(ka, "198.18.0.1");
        EspPacketTransform b = transform(kb, "198.18.0.2");
        EspTransform.Session toB = a.peerState(TestKeys.lease("100.96.2.0/24", "198.18.0.2", kb));
        EspTransform.Session toA = b.peerState(TestKeys.lease("100.96.1.0/24", "198.18.0.1", ka));
        int slot = 2048;
        ByteBuffer out = ByteBuffer.allocateDirect(2 * slot);
        ByteBuffer in = ByteBuffer.allocateDirect(1001 * slot);
        byte[] key = new byte[32];
        Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
        SecretKeySpec spec = new SecretKeySpec(key, "AES");
        byte[] nonce = new byte[12];
        Aead[] aeads = {new JdkAesGcm(key), new ComposedAesGcm(key)};
        byte[] aad = new byte[12];
        ByteBuffer plain = ByteBuffer.allocateDirect(slot);
        ByteBuffer sealed = ByteBuffer.allocateDirect(slot);
        long[] init = new long[ROUNDS];
        long[][] aeadSeal = new long[aeads.length][ROUNDS];
        long[][] aeadOpen = new long[aeads.length][ROUNDS];
        long[] espSeal = new long[ROUNDS];
        long[] espOpen = new long[ROUNDS];
        long counter = 0;
        for (int r = 0; r < ROUNDS; r++) {
            long t = cpu();
            for (int i = 0; i < PACKETS; i++) {
                putLong(nonce, 4, ++counter);
                cipher.init(Cipher.DECRYPT_MODE, spec, new GCMParameterSpec(128, nonce));
            }
            init[r] = (cpu() - t) / PACKETS;

            for (int k = 0; k < aeads.length; k++) {
                Aead aead = aeads[k];
                t = cpu();
                for (int i = 0; i < PACKETS; i++) {
                    putLong(nonce, 4, ++counter);
                    plain.clear().limit(SIZE);
                    sealed.clear();
                    aead.seal(nonce, aad, plain, sealed);
                }
                aeadSeal[k][r] = (cpu() - t) / PACKETS;
                sealed.flip();
                t = cpu();
                for (int i = 0; i < PACKETS; i++) {
                    plain.clear();
                    aead.open(nonce, aad, sealed.duplicate(), plain);
                }
                aeadOpen[k][r] = (cpu() - t) / PACKETS;
            }

            // The ESP stage: seal into one slot, and carry each datagram into its own slot of a batch of 1000 so
            // the receiver opens fresh sequence numbers in place, as recvmmsg would hand them over.
            long sealNanos = 0;
            long openNanos = 0;
            for (int batch = 0; batch < PACKETS / 1000; batch++) {
                int[] lengths = new int[1000];
                long t0 = cpu();
                long batchNanos = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    int n = a.seal(toB, 0, out, slot + 64, SIZE, batchNanos);
                    lengths[i] = n;
                    in.put(i * slot + 64, out, slot + 64 - EspPacketTransform.HEADROOM, n);
                }
                long t1 = cpu();
                batchNanos = System.nanoTime();
                for (int i = 0; i < 1000; i++) {
                    if (b.open(toA, 0, in, i * slot + 64, lengths[i], batchNanos) != SIZE) {
                        throw new IllegalStateException("packet " + i + " did not open");
                    }
                }
                long t2 = cpu();
                sealNanos += t1 - t0;
                openNanos += t2 - t1;
            }
            espSeal[r] = sealNanos / PACKETS;
            espOpen[r] = openNanos / PACKETS;
        }
        System.out.printf("CPU ns per %d-byte packet (median of %d x %d): Cipher.init %d; JdkAesGcm seal %d, open %d;"
                + " ComposedAesGcm seal %d, open %d; EspPacketTransform (%s) seal %d (incl. one %d-byte copy per"
                + " packet), open %d%n", SIZE, ROUNDS, PACKETS, median(init), median(aeadSeal[0]), median(aeadOpen[0]),
                median(aeadSeal[1]), median(aeadOpen[1]), AeadKind.DATA_PATH.label(), median(espSeal), SIZE + 36,
                median(espOpen));
    }

    private static EspPacketTransform transform(X25519Keys own, String ip) {
        return new EspPacketTransform(new EspTransform(own, new SaKeyDerivation(TestKeys.PSK, 256),
                RekeyPolicy.of(Duration.ofSeconds(3600)), AeadKind.DATA_PATH, TestKeys.seeded(3), new EspStats(), ip,
                Clock.systemUTC(), 1));
    }

    private static long cpu() {
        return MX.getCurrentThreadCpuTime();
    }

    private static void putLong(byte[] b, int at, long v) {
        for (int i = 0; i < 8; i++) {
            b[at + i] = (byte) (v >>> (56 - 8 * i));
        }
    }

    private static long median(long[] values) {
        long[] sorted = values.clone();
        java.util.Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
