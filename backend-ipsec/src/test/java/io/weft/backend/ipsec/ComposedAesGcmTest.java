package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link ComposedAesGcm} against Bouncy Castle's GCM (the reference) over every length from 0 to 100 bytes and the
 * data path's sizes, with several AAD lengths and both key sizes; several SAs sharing one thread's scratch arrays;
 * tampering and short input; what it allocates per packet; and, in JVMs of its own, that without the JDK's GHASH
 * opened to weft the data path falls back to the JCE's Cipher and says why.
 */
class ComposedAesGcmTest {
    private static final int[] AAD_LENGTHS = {0, 8, 12, 16, 20, 33};

    private static byte[] random(Random r, int n) {
        byte[] b = new byte[n];
        r.nextBytes(b);
        return b;
    }

    private static byte[] seal(Aead aead, byte[] nonce, byte[] aad, byte[] plain) {
        ByteBuffer src = ByteBuffer.allocateDirect(plain.length + 1);
        src.put(plain).flip();
        ByteBuffer dst = ByteBuffer.allocateDirect(plain.length + 16);
        assertEquals(plain.length + 16, aead.seal(nonce, aad, src, dst));
        assertEquals(src.limit(), src.position(), "src consumed");
        return TestKeys.bytes(dst, 0, plain.length + 16);
    }

    /** Opens {@code sealed}; returns the plaintext, or null when refused (then checks {@code dst} was not written). */
    private static byte[] open(Aead aead, byte[] nonce, byte[] aad, byte[] sealed) {
        ByteBuffer src = ByteBuffer.allocateDirect(sealed.length);
        src.put(sealed).flip();
        ByteBuffer dst = ByteBuffer.allocateDirect(sealed.length + 16);
        for (int i = 0; i < dst.capacity(); i++) {
            dst.put(i, (byte) 0x5a);
        }
        int n = aead.open(nonce, aad, src, dst);
        if (n < 0) {
            assertEquals(-1, n);
            assertEquals(0, dst.position(), "nothing written on refusal");
            for (int i = 0; i < dst.capacity(); i++) {
                assertEquals((byte) 0x5a, dst.get(i), "byte " + i + " untouched on refusal");
            }
            return null;
        }
        assertEquals(n, dst.position());
        return TestKeys.bytes(dst, 0, n);
    }

    @Test
    void theDataPathUsesItInTheseTests() {
        assertNull(ComposedAesGcm.unavailableReason());
        assertEquals(AeadKind.COMPOSED, AeadKind.DATA_PATH);
        assertEquals(AeadKind.COMPOSED, AeadKind.COMPOSED.create(new byte[16]).kind());
    }

    @Test
    void sealsTheSameBytesAsBouncyCastleAndOpensThemForEveryLengthAndAadAndKeySize() {
        Random r = new Random(11);
        for (int keyBytes : new int[] {16, 32}) {
            byte[] key = random(r, keyBytes);
            Aead composed = new ComposedAesGcm(key);
            Aead reference = new BcAesGcm(key);
            List<Integer> lengths = new ArrayList<>();
            for (int n = 0; n <= 100; n++) {
                lengths.add(n);
            }
            lengths.addAll(List.of(1398, 1400, 1420, 1422, 1438, 1472, 2047, 2048, 2049, 8938, 65535));
            for (int length : lengths) {
                for (int aadLength : AAD_LENGTHS) {
                    byte[] nonce = random(r, 12);
                    byte[] aad = random(r, aadLength);
                    byte[] plain = random(r, length);
                    String what = "key " + keyBytes + ", length " + length + ", aad " + aadLength;
                    byte[] sealed = seal(composed, nonce, aad, plain);
                    assertArrayEquals(seal(reference, nonce, aad, plain), sealed, what);
                    assertArrayEquals(plain, open(composed, nonce, aad, sealed), what);
                    assertArrayEquals(plain, open(reference, nonce, aad, sealed), what);
                }
            }
        }
    }

    @Test
    void sasInterleavedOnOneThreadKeepTheirOwnKeys() {
        Random r = new Random(12);
        Aead[] composed = new Aead[5];
        Aead[] reference = new Aead[5];
        for (int i = 0; i < composed.length; i++) {
            byte[] key = random(r, i % 2 == 0 ? 32 : 16);
            composed[i] = new ComposedAesGcm(key);
            reference[i] = new BcAesGcm(key);
        }
        for (int round = 0; round < 200; round++) {
            int sa = r.nextInt(composed.length);
            byte[] nonce = random(r, 12);
            byte[] aad = random(r, 12);
            byte[] plain = random(r, r.nextInt(3000));
            byte[] sealed = seal(composed[sa], nonce, aad, plain);
            assertArrayEquals(seal(reference[sa], nonce, aad, plain), sealed, "round " + round);
            assertArrayEquals(plain, open(composed[sa], nonce, aad, sealed), "round " + round);
            assertNull(open(composed[(sa + 1) % composed.length], nonce, aad, sealed), "another SA's key");
        }
    }

    @Test
    void anyChangeToCiphertextTagAadOrNonceIsRefusedWithNothingWritten() {
        Random r = new Random(13);
        Aead gcm = new ComposedAesGcm(random(r, 32));
        byte[] nonce = random(r, 12);
        byte[] aad = random(r, 12);
        byte[] plain = random(r, 1420);
        byte[] sealed = seal(gcm, nonce, aad, plain);
        for (int at : new int[] {0, 1, 700, 1419, 1420, 1435}) {
            byte[] bad = sealed.clone();
            bad[at] ^= 1;
            assertNull(open(gcm, nonce, aad, bad), "bit flipped at " + at);
        }
        byte[] badAad = aad.clone();
        badAad[11] ^= (byte) 0x80;
        assertNull(open(gcm, nonce, badAad, sealed), "AAD changed");
        byte[] badNonce = nonce.clone();
        badNonce[0] ^= 1;
        assertNull(open(gcm, badNonce, aad, sealed), "nonce changed");
        assertNull(open(gcm, nonce, aad, java.util.Arrays.copyOf(sealed, sealed.length - 1)), "tag cut short");
        assertNull(open(gcm, nonce, aad, new byte[15]), "shorter than a tag");
        byte[] other = random(r, 12);
        assertArrayEquals(new byte[0], open(gcm, other, aad, seal(gcm, other, aad, new byte[0])), "empty text");
        assertArrayEquals(plain, open(gcm, nonce, aad, sealed), "the untouched packet still opens");
    }

    @Test
    void sealingTwiceInARowWithOneNonceIsRefusedAsTheJcesCipherRefusesIt() {
        Aead gcm = new ComposedAesGcm(new byte[16]);
        byte[] nonce = new byte[12];
        seal(gcm, nonce, new byte[8], new byte[100]);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> seal(gcm, nonce, new byte[8],
                new byte[100]));
        assertTrue(e.getMessage().contains("nonce repeated"), e.getMessage());
        nonce[11] = 1;
        seal(gcm, nonce, new byte[8], new byte[100]);
    }

    @Test
    void aNonceOtherThanTwelveBytesIsRefusedBySealAndOpen() {
        Aead gcm = new ComposedAesGcm(new byte[16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> gcm.seal(new byte[16], new byte[8], ByteBuffer.allocate(10), ByteBuffer.allocate(64)));
        assertTrue(e.getMessage().contains("nonce of 16 bytes, not 12"), e.getMessage());
        IllegalArgumentException o = assertThrows(IllegalArgumentException.class,
                () -> gcm.open(new byte[8], new byte[8], ByteBuffer.allocate(40), ByteBuffer.allocate(64)));
        assertTrue(o.getMessage().contains("nonce of 8 bytes, not 12"), o.getMessage());
    }

    @Test
    void aPacketAllocatesOnlyGhashsSixteenByteDigestPerDirection() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        Aead gcm = new ComposedAesGcm(new byte[32]);
        byte[] nonce = new byte[12];
        byte[] aad = new byte[12];
        ByteBuffer buffer = ByteBuffer.allocateDirect(4096);
        ByteBuffer src = buffer.duplicate();
        ByteBuffer dst = buffer.duplicate();
        int packets = 20_000;
        long before = 0;
        for (int round = 0; round < 2; round++) {
            if (round == 1) {
                before = mx.getThreadAllocatedBytes(Thread.currentThread().getId());
            }
            for (int i = 0; i < packets; i++) {
                nonce[11] = (byte) i;
                nonce[10] = (byte) (i >> 8);
                src.clear().position(64).limit(64 + 1400);
                dst.clear().position(2048);
                gcm.seal(nonce, aad, src, dst);
                src.clear().position(2048).limit(2048 + 1416);
                dst.clear().position(64);
                assertEquals(1400, gcm.open(nonce, aad, src, dst));
            }
        }
        long perPacket = (mx.getThreadAllocatedBytes(Thread.currentThread().getId()) - before) / packets;
        System.out.println("FIGURE composed AES-GCM seal+open allocates " + perPacket + " bytes/packet");
        assertTrue(perPacket <= 2 * 32 + 8, "seal + open allocate " + perPacket + " bytes per packet");
    }

    /** The child: which AES-GCM the data path would use here, and why. */
    public static void main(String[] args) {
        System.out.println("KIND " + AeadKind.DATA_PATH);
        System.out.println("REASON " + ComposedAesGcm.unavailableReason());
        Aead gcm = AeadKind.DATA_PATH.create(new byte[16]);
        ByteBuffer dst = ByteBuffer.allocate(64);
        gcm.seal(new byte[12], new byte[8], ByteBuffer.allocate(20), dst);
        System.out.println("SEALED " + dst.position());
    }

    private static List<String> child(List<String> flags) throws Exception {
        return ChildJvm.run(ComposedAesGcmTest.class, flags, "KIND ", "REASON ", "SEALED ");
    }

    @Test
    void withoutTheJdksGhashOpenedTheDataPathFallsBackToTheJcesCipherAndSaysHowToOpenIt() throws Exception {
        List<String> lines = child(List.of("-Xmx64m"));
        assertEquals("KIND JDK", lines.get(0), lines.toString());
        assertTrue(lines.get(1).contains("com.sun.crypto.provider.GHASH is not reachable")
                && lines.get(1).contains("--add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED"), lines.get(1));
        assertEquals("SEALED 36", lines.get(2));

        List<String> opened = child(List.of("-Xmx64m", "--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED"));
        assertEquals(List.of("KIND COMPOSED", "REASON null", "SEALED 36"), opened);
    }
}
