package io.weft.backend.ipsec;

import java.nio.ByteBuffer;
import java.security.GeneralSecurityException;
import javax.crypto.AEADBadTagException;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM through the JDK's SunJCE provider, which has hardware intrinsics for AES and GHASH: the data path's
 * fallback when {@link ComposedAesGcm} cannot reach the JDK's GHASH. One {@link Cipher} per instance,
 * re-initialised per packet with the packet's nonce. Packets go through a reused heap array (two copies of about
 * 1.4 KB each): JDK 17's GCM on direct buffers copied them into fresh arrays, about 3.2 KB allocated per
 * 1400-byte packet. What remains is the JCE's own per-{@code init} garbage (the {@link GCMParameterSpec} and
 * SunJCE's GCM engine state), about 1.1 KB per packet; the JCE has no API to avoid it, and it dies young. The JDK
 * refuses a repeated (key, nonce) for encryption, a second guard against nonce reuse. Not thread-safe.
 */
final class JdkAesGcm implements Aead {
    private final SecretKeySpec key;
    private final Cipher cipher;
    private byte[] scratch = new byte[2048];

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
            return crypt(Cipher.ENCRYPT_MODE, nonce, aad, src, dst, Esp.ICV_BYTES);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e, e);
        }
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst) {
        try {
            return crypt(Cipher.DECRYPT_MODE, nonce, aad, src, dst, 0);
        } catch (AEADBadTagException e) {
            return -1;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM decryption failed: " + e, e);
        }
    }

    /** One packet through the cipher in {@code mode}, staged in the scratch array (room for {@code growth} more). */
    private int crypt(int mode, byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst, int growth)
            throws GeneralSecurityException {
        cipher.init(mode, key, new GCMParameterSpec(Esp.ICV_BYTES * 8, nonce));
        cipher.updateAAD(aad);
        int n = src.remaining();
        byte[] work = scratch(n + growth);
        src.get(work, 0, n);
        int out = cipher.doFinal(work, 0, n, work, 0);
        dst.put(work, 0, out);
        return out;
    }

    private byte[] scratch(int n) {
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        return scratch;
    }

    @Override
    public AeadKind kind() {
        return AeadKind.JDK;
    }
}
