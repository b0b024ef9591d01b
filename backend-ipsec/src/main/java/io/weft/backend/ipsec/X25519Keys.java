package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.crypto.agreement.X25519Agreement;
import org.bouncycastle.crypto.params.X25519PrivateKeyParameters;
import org.bouncycastle.crypto.params.X25519PublicKeyParameters;

/**
 * This host's static X25519 key pair (Bouncy Castle), and the Diffie-Hellman with a peer's public key that
 * every SA key starts from. Immutable and thread-safe; the private key never leaves except to
 * {@link KeyFile}.
 */
final class X25519Keys {
    static final int KEY_BYTES = 32;
    private final X25519PrivateKeyParameters privateKey;
    private final byte[] publicKey;

    private X25519Keys(X25519PrivateKeyParameters privateKey) {
        this.privateKey = privateKey;
        this.publicKey = privateKey.generatePublicKey().getEncoded();
    }

    static X25519Keys generate(SecureRandom random) {
        return new X25519Keys(new X25519PrivateKeyParameters(random));
    }

    static X25519Keys fromPrivate(byte[] encoded) {
        if (encoded.length != KEY_BYTES) {
            throw new IllegalArgumentException("X25519 private key is " + encoded.length + " bytes, not 32");
        }
        return new X25519Keys(new X25519PrivateKeyParameters(encoded, 0));
    }

    byte[] publicKey() {
        return publicKey.clone();
    }

    String publicKeyBase64() {
        return Base64.getEncoder().encodeToString(publicKey);
    }

    byte[] privateKeyBytes() {
        return privateKey.getEncoded();
    }

    /**
     * The X25519 shared secret with {@code peerPublic}. A low-order peer key (one that makes the secret all
     * zeros, RFC 7748 section 6.1) is refused, since it would give every such peer the same keys.
     */
    byte[] agree(byte[] peerPublic, String peer) {
        X25519Agreement agreement = new X25519Agreement();
        agreement.init(privateKey);
        byte[] secret = new byte[agreement.getAgreementSize()];
        try {
            agreement.calculateAgreement(new X25519PublicKeyParameters(peerPublic, 0), secret, 0);
        } catch (IllegalStateException e) {
            throw new WeftException("peer " + peer + " published an unusable X25519 PublicKey (a low-order point):"
                    + " it must restart weft to make a new key", e);
        }
        return secret;
    }

    /**
     * A short fingerprint of a public key for logs: the first 8 bytes of the SHA-256 of its 32 bytes, in hex
     * ({@code echo KEY | base64 -d | sha256sum | cut -c1-16}).
     */
    static String fingerprint(String base64) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(Base64.getDecoder().decode(base64));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** Decodes a lease's {@code BackendData.PublicKey}; {@code where} names the lease in the error. */
    static byte[] parsePublicKey(String base64, String where) {
        byte[] key;
        try {
            key = Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            throw new WeftException(where + " BackendData.PublicKey \"" + base64 + "\" is not base64: "
                    + e.getMessage(), e);
        }
        if (key.length != KEY_BYTES) {
            throw new WeftException(where + " BackendData.PublicKey is " + key.length
                    + " bytes: an X25519 public key is 32 bytes (44 base64 characters)");
        }
        return key;
    }
}
