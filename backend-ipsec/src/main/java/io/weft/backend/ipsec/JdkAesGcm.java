package io.weft.backend.ipsec;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM through the JDK's SunJCE provider, which has hardware intrinsics for AES and GHASH. One
 * {@link Cipher} per instance, re-initialised per packet with the packet's nonce; JCE's API allocates a
 * small {@link GCMParameterSpec} per call, which is the only per-packet allocation on this path. The JDK
 * refuses a repeated (key, nonce) for encryption, a second guard against nonce reuse. Not thread-safe.
 */
final class JdkAesGcm implements Aead {
    private final SecretKeySpec key;
    private final Cipher cipher;

    JdkAesGcm(byte[] key) {
        this.key = new SecretKeySpec(key, "AES");
        try {
            this.cipher = Cipher.getInstance("AES/GCM/NoPadding");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the JDK has no AES/GCM/NoPadding: " + e, e);
        }
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst) {
        try {
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(Esp.ICV_BYTES * 8, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(src, dst);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e, e);
        }
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst) {
        try {
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(Esp.ICV_BYTES * 8, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(src, dst);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed: " + e, e);
        }
    }

    @Override
    public AeadKind kind() {
        return AeadKind.JDK;
    }
}
