package io.weft.backend.ipsec;

import java.nio.ByteBuffer;
import org.bouncycastle.crypto.InvalidCipherTextException;
import org.bouncycastle.crypto.engines.AESEngine;
import org.bouncycastle.crypto.modes.GCMBlockCipher;
import org.bouncycastle.crypto.modes.GCMModeCipher;
import org.bouncycastle.crypto.params.AEADParameters;
import org.bouncycastle.crypto.params.KeyParameter;

/**
 * AES-GCM through Bouncy Castle's lightweight API: the reference implementation the JDK one is checked
 * against, and the benchmark's other contender. Bouncy Castle works on arrays, so packets are staged
 * through two reused scratch arrays; decrypted bytes reach {@code dst} only after the tag verified. The key
 * schedule is set up once and reused across packets. Not thread-safe.
 */
final class BcAesGcm implements Aead {
    private static final int SCRATCH = 65536 + Esp.ICV_BYTES;
    private final GCMModeCipher gcm = GCMBlockCipher.newInstance(AESEngine.newInstance());
    private final KeyParameter key;
    private final byte[] in = new byte[SCRATCH];
    private final byte[] out = new byte[SCRATCH];
    private boolean keyed;

    BcAesGcm(byte[] key) {
        this.key = new KeyParameter(key);
    }

    private void init(boolean encrypt, byte[] nonce) {
        // A null key in AEADParameters keeps the expanded key and GHASH tables from the first init.
        gcm.init(encrypt, new AEADParameters(keyed ? null : key, Esp.ICV_BYTES * 8, nonce));
        keyed = true;
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst) {
        try {
            return process(true, nonce, aad, src, dst);
        } catch (InvalidCipherTextException e) {
            throw new IllegalStateException("AES-GCM encryption failed: " + e, e);
        }
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst) {
        if (src.remaining() < Esp.ICV_BYTES) {
            return -1;
        }
        try {
            return process(false, nonce, aad, src, dst);
        } catch (InvalidCipherTextException e) {
            return -1;
        }
    }

    /** One packet through GCM; {@code dst} gets the output only when the tag verified (or on encryption). */
    private int process(boolean encrypt, byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst)
            throws InvalidCipherTextException {
        int length = src.remaining();
        init(encrypt, nonce);
        gcm.processAADBytes(aad, 0, aad.length);
        src.get(in, 0, length);
        int n = gcm.processBytes(in, 0, length, out, 0);
        n += gcm.doFinal(out, n);
        dst.put(out, 0, n);
        return n;
    }

    @Override
    public AeadKind kind() {
        return AeadKind.BOUNCY_CASTLE;
    }
}
