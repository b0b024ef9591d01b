package io.weft.backend.ipsec;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.generators.HKDFBytesGenerator;
import org.bouncycastle.crypto.params.HKDFParameters;

/**
 * Derives one direction's SA keys: HKDF-SHA256 (RFC 5869, Bouncy Castle) with the X25519 shared secret as
 * input keying material, the PSK as salt, and an info string that binds the sender's and the receiver's
 * public keys and PublicIPs (sender first, which is the direction), the SPI and the key size:
 *
 * <pre>
 * info = "weft ipsec v3 esp" || 0x00 || senderPublicKey(32) || receiverPublicKey(32) || senderPublicIP(4)
 *        || receiverPublicIP(4) || SPI(4, big-endian) || keyBits(2, big-endian)
 * okm  = HKDF-SHA256(salt = PSK, ikm = X25519(sk, pk), info, L = keyBits/8 + 4)
 * key  = okm[0 .. keyBits/8), salt = okm[keyBits/8 .. +4)
 * </pre>
 *
 * The SPI carries the sending queue in its low 2 bits ({@link Esp#queueOf}), so each of a sender's queues gets
 * keys of its own through the SPI alone. The label went from v2 to v3 when the SPI took that meaning: a v2 host
 * would take a v3 host's queues' SAs for one series and drop all but the newest as expired, so the two versions
 * fail authentication outright rather than half work. Both hosts compute the same keys for a direction; the two
 * directions never share keys; without the PSK
 * the keys cannot be derived even from both private keys' public halves. Binding the addresses means two
 * hosts that share a key pair (a cloned VM image) still get different keys with every other host, so what
 * is sealed for one cannot be opened by the other. Immutable, thread-safe.
 */
final class SaKeyDerivation {
    static final byte[] LABEL = "weft ipsec v3 esp".getBytes(StandardCharsets.US_ASCII);
    private final byte[] psk;
    private final int keyBytes;

    SaKeyDerivation(Psk psk, int keyBits) {
        if (keyBits != 128 && keyBits != 256) {
            throw new IllegalArgumentException("keyBits " + keyBits);
        }
        this.psk = psk.bytes();
        this.keyBytes = keyBits / 8;
    }

    int keyBits() {
        return keyBytes * 8;
    }

    /** @param senderIp and {@code receiverIp}: the two hosts' PublicIPs, as ints */
    SaKey derive(byte[] sharedSecret, byte[] senderPublic, byte[] receiverPublic, int senderIp, int receiverIp,
            int spi) {
        ByteBuffer info = ByteBuffer.allocate(LABEL.length + 1 + 64 + 8 + 4 + 2);
        info.put(LABEL).put((byte) 0).put(senderPublic, 0, 32).put(receiverPublic, 0, 32).putInt(senderIp)
                .putInt(receiverIp).putInt(spi).putShort((short) (keyBytes * 8));
        HKDFBytesGenerator hkdf = new HKDFBytesGenerator(new SHA256Digest());
        hkdf.init(new HKDFParameters(sharedSecret, psk, info.array()));
        byte[] okm = new byte[keyBytes + Esp.SALT_BYTES];
        hkdf.generateBytes(okm, 0, okm.length);
        try {
            return new SaKey(spi, Arrays.copyOf(okm, keyBytes), Arrays.copyOfRange(okm, keyBytes, okm.length));
        } finally {
            Arrays.fill(okm, (byte) 0);
        }
    }
}
