package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SaKeyDerivationTest {
    private final X25519Keys alice = X25519Keys.generate(TestKeys.seeded(1));
    private final X25519Keys bob = X25519Keys.generate(TestKeys.seeded(2));

    @Test
    void x25519KnownAnswerFromRfc7748() {
        X25519Keys a = X25519Keys.fromPrivate(TestKeys.hex(
                "77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a"));
        assertEquals("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a", TestKeys.hex(a.publicKey()));
        byte[] bobPublic = TestKeys.hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
        assertEquals("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742",
                TestKeys.hex(a.agree(bobPublic, "bob")));
    }

    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void bothSidesDeriveTheSameKeysPerDirectionAndTheDirectionsDiffer(int bits) {
        SaKeyDerivation d = new SaKeyDerivation(TestKeys.PSK, bits);
        PeerKeys atAlice = new PeerKeys(d, alice, TestKeys.ALICE_IP, bob.publicKey(), TestKeys.BOB_IP, AeadKind.JDK,
                TestKeys.seeded(3));
        PeerKeys atBob = new PeerKeys(d, bob, TestKeys.BOB_IP, alice.publicKey(), TestKeys.ALICE_IP, AeadKind.JDK,
                TestKeys.seeded(4));
        int spi = 0x69b2c3d4;
        assertEquals(atAlice.outboundKey(spi), atBob.inboundKey(spi));
        assertEquals(atBob.outboundKey(spi), atAlice.inboundKey(spi));
        assertFalse(Arrays.equals(atAlice.outboundKey(spi).key(), atAlice.inboundKey(spi).key()));
        assertFalse(Arrays.equals(atAlice.outboundKey(spi).key(), atAlice.outboundKey(spi + 1).key()));
        assertEquals(bits / 8, atAlice.outboundKey(spi).key().length);
    }

    @Test
    void anotherPskGivesOtherKeys() {
        byte[] shared = alice.agree(bob.publicKey(), "bob");
        SaKey a = new SaKeyDerivation(TestKeys.PSK, 256).derive(shared, alice.publicKey(), bob.publicKey(),
                TestKeys.ALICE_IP, TestKeys.BOB_IP, 300);
        SaKey b = new SaKeyDerivation(Psk.of("another-psk-that-is-32-bytes-long!!"), 256)
                .derive(shared, alice.publicKey(), bob.publicKey(), TestKeys.ALICE_IP, TestKeys.BOB_IP, 300);
        assertFalse(Arrays.equals(a.key(), b.key()));
    }

    /** Two hosts with one key pair (cloned images) get different keys from a third: the PublicIPs are bound. */
    @Test
    void theKeysAreBoundToBothPublicIpsInTheirDirection() {
        SaKeyDerivation d = new SaKeyDerivation(TestKeys.PSK, 256);
        int clone = TestKeys.BOB_IP + 1;
        PeerKeys toBob = new PeerKeys(d, alice, TestKeys.ALICE_IP, bob.publicKey(), TestKeys.BOB_IP, AeadKind.JDK,
                TestKeys.seeded(3));
        PeerKeys toClone = new PeerKeys(d, alice, TestKeys.ALICE_IP, bob.publicKey(), clone, AeadKind.JDK,
                TestKeys.seeded(3));
        PeerKeys atClone = new PeerKeys(d, bob, clone, alice.publicKey(), TestKeys.ALICE_IP, AeadKind.JDK,
                TestKeys.seeded(4));
        assertFalse(Arrays.equals(toBob.outboundKey(300).key(), toClone.outboundKey(300).key()));
        assertFalse(Arrays.equals(toBob.inboundKey(300).key(), toClone.inboundKey(300).key()));
        assertEquals(toClone.outboundKey(300), atClone.inboundKey(300));
        assertFalse(Arrays.equals(toBob.outboundKey(300).key(), atClone.inboundKey(300).key()));
    }

    /** The derivation, recomputed with the JDK's HMAC-SHA256 and RFC 5869's two steps. */
    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void matchesAnIndependentHkdf(int bits) throws Exception {
        byte[] shared = alice.agree(bob.publicKey(), "bob");
        SaKey key = new SaKeyDerivation(TestKeys.PSK, bits).derive(shared, alice.publicKey(), bob.publicKey(),
                TestKeys.ALICE_IP, TestKeys.BOB_IP, 0x69b2c3d4);
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(TestKeys.PSK.bytes(), "HmacSHA256"));
        byte[] prk = mac.doFinal(shared);
        ByteArrayOutputStream info = new ByteArrayOutputStream();
        info.write("weft ipsec v3 esp".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        info.write(0);
        info.write(alice.publicKey());
        info.write(bob.publicKey());
        info.write(new byte[] {(byte) 198, 18, 0, 1, (byte) 198, 18, 0, 2});
        info.write(TestKeys.hex("69b2c3d4"));
        info.write(bits >> 8);
        info.write(bits & 0xff);
        mac.init(new SecretKeySpec(prk, "HmacSHA256"));
        mac.update(info.toByteArray());
        mac.update((byte) 1);
        byte[] t1 = mac.doFinal();
        mac.update(t1);
        mac.update(info.toByteArray());
        mac.update((byte) 2);
        byte[] t2 = mac.doFinal();
        byte[] okm = new byte[64];
        System.arraycopy(t1, 0, okm, 0, 32);
        System.arraycopy(t2, 0, okm, 32, 32);
        assertArrayEquals(Arrays.copyOf(okm, bits / 8), key.key());
        assertArrayEquals(Arrays.copyOfRange(okm, bits / 8, bits / 8 + 4), key.salt());
        assertTrue(key.toString().contains("redacted"));
    }

    @Test
    void lowOrderPeerKeysAreRefused() {
        WeftException e = assertThrows(WeftException.class, () -> alice.agree(new byte[32], "198.18.0.9"));
        assertTrue(e.getMessage().startsWith("peer 198.18.0.9 published an unusable X25519 PublicKey"),
                e.getMessage());
    }

    @Test
    void publicKeyParsingNamesTheLease() {
        assertEquals("lease 10.5.1.0/24 BackendData.PublicKey is 3 bytes: an X25519 public key is 32 bytes (44"
                + " base64 characters)", assertThrows(WeftException.class,
                        () -> X25519Keys.parsePublicKey("AAAA", "lease 10.5.1.0/24")).getMessage());
        assertTrue(assertThrows(WeftException.class, () -> X25519Keys.parsePublicKey("!!", "lease x"))
                .getMessage().startsWith("lease x BackendData.PublicKey \"!!\" is not base64"));
        assertArrayEquals(alice.publicKey(), X25519Keys.parsePublicKey(alice.publicKeyBase64(), "x"));
    }
}
