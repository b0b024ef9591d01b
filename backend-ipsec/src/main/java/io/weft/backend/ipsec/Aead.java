package io.weft.backend.ipsec;

import java.nio.ByteBuffer;

/**
 * AES-GCM with a 16-byte tag over one key, as the per-packet transform of one SA. Two implementations:
 * {@link JdkAesGcm} (the JDK's provider, with AES-NI and CLMUL intrinsics) and {@link BcAesGcm} (Bouncy
 * Castle's lightweight API, the reference). Both produce and accept the same bytes. Not thread-safe: each SA
 * direction is used by one forwarding thread.
 */
interface Aead {

    /**
     * Encrypts {@code src} (position to limit) and writes ciphertext then tag at {@code dst}'s position.
     * Advances both buffers and returns the bytes written (the plaintext length + 16).
     */
    int seal(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst);

    /**
     * Verifies and decrypts {@code src} (ciphertext then tag) into {@code dst}. Returns the plaintext length,
     * or -1 when the tag does not verify, in which case nothing meaningful was written to {@code dst}.
     */
    int open(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst);

    /** Which implementation, for the benchmark and logs. */
    AeadKind kind();
}
