package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.ByteBuffer;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Known answers from the GCM specification's test cases (McGrew and Viega, "The Galois/Counter Mode of
 * Operation", test cases 4 and 16, also NIST's), through all three implementations, and cross-checks that each
 * accepts what the others produce.
 */
class AeadTest {
    private static final String P = "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
            + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39";
    private static final String A = "feedfacedeadbeeffeedfacedeadbeefabaddad2";
    private static final String IV = "cafebabefacedbaddecaf888";

    @ParameterizedTest
    @CsvSource({
        "JDK, feffe9928665731c6d6a8f9467308308,"
            + " 42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091,"
            + " 5bc94fbc3221a5db94fae95ae7121a47",
        "BOUNCY_CASTLE, feffe9928665731c6d6a8f9467308308,"
            + " 42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091,"
            + " 5bc94fbc3221a5db94fae95ae7121a47",
        "COMPOSED, feffe9928665731c6d6a8f9467308308,"
            + " 42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091,"
            + " 5bc94fbc3221a5db94fae95ae7121a47",
        "JDK, feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308,"
            + " 522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662,"
            + " 76fc6ece0f4e1768cddf8853bb2d551b",
        "BOUNCY_CASTLE, feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308,"
            + " 522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662,"
            + " 76fc6ece0f4e1768cddf8853bb2d551b",
        "COMPOSED, feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308,"
            + " 522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662,"
            + " 76fc6ece0f4e1768cddf8853bb2d551b",
    })
    void knownAnswers(AeadKind kind, String key, String ciphertext, String tag) {
        Aead aead = kind.create(TestKeys.hex(key));
        ByteBuffer src = ByteBuffer.allocateDirect(128);
        src.put(TestKeys.hex(P)).flip();
        ByteBuffer dst = ByteBuffer.allocateDirect(128);
        int n = aead.seal(TestKeys.hex(IV), TestKeys.hex(A), src, dst);
        assertEquals(60 + 16, n);
        assertEquals(ciphertext + tag, TestKeys.hex(TestKeys.bytes(dst, 0, n)));

        dst.flip();
        ByteBuffer plain = ByteBuffer.allocateDirect(128);
        assertEquals(60, aead.open(TestKeys.hex(IV), TestKeys.hex(A), dst, plain));
        assertEquals(P, TestKeys.hex(TestKeys.bytes(plain, 0, 60)));
    }

    @ParameterizedTest
    @CsvSource({"JDK, BOUNCY_CASTLE, 16", "BOUNCY_CASTLE, JDK, 16", "JDK, BOUNCY_CASTLE, 32",
        "BOUNCY_CASTLE, JDK, 32", "COMPOSED, BOUNCY_CASTLE, 16", "BOUNCY_CASTLE, COMPOSED, 16",
        "COMPOSED, BOUNCY_CASTLE, 32", "BOUNCY_CASTLE, COMPOSED, 32", "COMPOSED, JDK, 32", "JDK, COMPOSED, 16"})
    void eachAcceptsWhatTheOtherProducesAndBothProduceTheSameBytes(AeadKind sealer, AeadKind opener, int keyBytes) {
        Random r = new Random(keyBytes);
        byte[] key = new byte[keyBytes];
        r.nextBytes(key);
        Aead a = sealer.create(key);
        Aead b = opener.create(key);
        for (int length : new int[] {0, 1, 15, 16, 17, 84, 1438, 8938}) {
            byte[] nonce = new byte[12];
            byte[] aad = new byte[12];
            byte[] plain = new byte[length];
            r.nextBytes(nonce);
            r.nextBytes(aad);
            r.nextBytes(plain);
            ByteBuffer sealedA = seal(a, nonce, aad, plain);
            ByteBuffer sealedB = seal(b, nonce, aad, plain);
            assertEquals(sealedA, sealedB, "length " + length);
            ByteBuffer out = ByteBuffer.allocateDirect(length + 16);
            assertEquals(length, b.open(nonce, aad, sealedA, out));
            out.flip();
            byte[] got = new byte[length];
            out.get(got);
            assertArrayEquals(plain, got);
        }
    }

    @ParameterizedTest
    @EnumSource(AeadKind.class)
    void anyFlippedBitFailsTheTag(AeadKind kind) {
        byte[] key = new byte[32];
        Aead aead = kind.create(key);
        byte[] nonce = new byte[12];
        byte[] aad = new byte[12];
        ByteBuffer sealed = seal(aead, nonce, aad, new byte[40]);
        for (int i = 0; i < sealed.remaining(); i++) {
            ByteBuffer copy = ByteBuffer.allocateDirect(sealed.remaining());
            copy.put(sealed.duplicate()).flip();
            copy.put(i, (byte) (copy.get(i) ^ 0x01));
            assertEquals(-1, aead.open(nonce, aad, copy, ByteBuffer.allocateDirect(64)), "byte " + i);
        }
        aad[3] ^= 1;
        assertEquals(-1, aead.open(nonce, aad, sealed.duplicate(), ByteBuffer.allocateDirect(64)));
    }

    private static ByteBuffer seal(Aead aead, byte[] nonce, byte[] aad, byte[] plain) {
        ByteBuffer src = ByteBuffer.allocateDirect(plain.length);
        src.put(plain).flip();
        ByteBuffer dst = ByteBuffer.allocateDirect(plain.length + 16);
        aead.seal(nonce, aad, src, dst);
        return dst.flip();
    }
}
