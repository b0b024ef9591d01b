package io.weft.backend.ipsec;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.HexFormat;
import javax.crypto.Cipher;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-GCM (NIST SP 800-38D, 96-bit nonces, 16-byte tag) put together from two keyed-once parts of the JDK: its
 * AES ({@code AES/ECB/NoPadding}, AES-NI/VAES intrinsic) makes the counter-mode keystream and E(K, J0), and
 * {@link JdkGhash} (the PCLMULQDQ intrinsic) the hash. No part is set up per packet, which is where the JCE's
 * {@code Cipher} spends half its time on a 1.4 KB packet ({@code init}, {@code updateAAD} and the tag's set-up:
 * about 300 of 650 ns here, and 1.1 KB of garbage); what is left is the AES and GHASH work itself. The only
 * per-packet allocation is GHASH's 16-byte digest.
 *
 * <p>Packets are staged through one thread's scratch arrays (a forwarding thread serves many SAs, so the
 * memory follows threads, not peers). {@link #open} compares the tag in constant time before any plaintext
 * reaches {@code dst}; {@link #seal} refuses the nonce it sealed with last, as the JCE does. Usable only when
 * {@link #unavailableReason()} is null: the JDK's GHASH must be reachable and this class must give the
 * specification's answer to GCM test case 4, checked once per JVM. Not thread-safe.
 */
final class ComposedAesGcm implements Aead {
    private static final int BLOCK = 16;
    private static final int NONCE_BYTES = 12;
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.BIG_ENDIAN);
    private static final VarHandle WORDS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.nativeOrder());
    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);
    private static final String UNAVAILABLE = selfTest();

    private final Cipher aes;
    private final JdkGhash ghash;
    private Thread owner;
    private Scratch scratch;
    private boolean sealedOnce;
    private long lastHigh;
    private int lastLow;

    /** One thread's staging arrays, grown to the largest packet seen. */
    private static final class Scratch {
        byte[] counters = new byte[0];
        byte[] keystream = new byte[0];
        byte[] work = new byte[0];
        final byte[] tag = new byte[BLOCK];
        final byte[] received = new byte[BLOCK];

        /**
         * Room for {@code length} bytes of padded AAD and text: their keystream (and E(K, J0)), and in {@code work}
         * the AAD, the text, its padding and the length block that GHASH reads in one pass.
         */
        Scratch ensure(int length) {
            int blocks = 2 + (length + BLOCK - 1) / BLOCK;
            if (work.length < blocks * BLOCK) {
                int size = Math.max(blocks * BLOCK, 2048);
                counters = new byte[size];
                keystream = new byte[size];
                work = new byte[size];
            }
            return this;
        }
    }

    ComposedAesGcm(byte[] key) {
        try {
            aes = Cipher.getInstance("AES/ECB/NoPadding");
            aes.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(key, "AES"));
            ghash = new JdkGhash(aes.doFinal(new byte[BLOCK]));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES with a " + key.length + "-byte key: " + e, e);
        }
    }

    /** Null when this JVM can run this class, else why not (one line, with the fix). */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    @Override
    public int seal(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst) {
        checkLength(nonce);
        refuseRepeat(nonce);
        int length = src.remaining();
        int text = padded(aad.length);
        Scratch s = scratch().ensure(text + length);
        keystream(s, nonce, length);
        byte[] work = s.work;
        src.get(work, text, length);
        xorKeystream(work, text, s.keystream, length);
        hash(s, aad, length);
        System.arraycopy(s.tag, 0, work, text + length, BLOCK);
        dst.put(work, text, length + BLOCK);
        return length + BLOCK;
    }

    @Override
    public int open(byte[] nonce, byte[] aad, ByteBuffer src, ByteBuffer dst) {
        checkLength(nonce);
        int length = src.remaining() - BLOCK;
        if (length < 0) {
            src.position(src.limit());
            return -1;
        }
        int text = padded(aad.length);
        Scratch s = scratch().ensure(text + length);
        byte[] work = s.work;
        src.get(work, text, length);
        src.get(s.received, 0, BLOCK);
        keystream(s, nonce, length);
        hash(s, aad, length);
        int diff = 0;
        for (int i = 0; i < BLOCK; i++) {
            diff |= s.tag[i] ^ s.received[i];
        }
        if (diff != 0) {
            return -1;
        }
        xorKeystream(work, text, s.keystream, length);
        dst.put(work, text, length);
        return length;
    }

    @Override
    public AeadKind kind() {
        return AeadKind.COMPOSED;
    }

    /**
     * The calling thread's scratch arrays, looked up only when another thread than last time calls (an SA is
     * used by one forwarding thread at a time; the thread-local lookup cost about 5% of a seal).
     */
    private Scratch scratch() {
        Thread current = Thread.currentThread();
        if (current != owner) {
            scratch = SCRATCH.get();
            owner = current;
        }
        return scratch;
    }

    private static void checkLength(byte[] nonce) {
        if (nonce.length != NONCE_BYTES) {
            throw new IllegalArgumentException("AES-GCM nonce of " + nonce.length + " bytes, not " + NONCE_BYTES);
        }
    }

    /**
     * A second guard against nonce reuse (the first is the SA's sequence number), as the JCE's Cipher has: the
     * same nonce twice in a row under one key is refused.
     */
    private void refuseRepeat(byte[] nonce) {
        long high = (long) LONGS.get(nonce, 0);
        int low = (int) INTS.get(nonce, 8);
        if (sealedOnce && high == lastHigh && low == lastLow) {
            throw new IllegalStateException("AES-GCM nonce repeated under one key; refusing to seal");
        }
        sealedOnce = true;
        lastHigh = high;
        lastLow = low;
    }

    /** E(K, J0) into keystream[0, 16), then E(K, inc32^i(J0)) for the blocks of a {@code length}-byte text. */
    private void keystream(Scratch s, byte[] nonce, int length) {
        int blocks = 1 + (length + BLOCK - 1) / BLOCK;
        long high = (long) LONGS.get(nonce, 0);
        long low = (long) (int) INTS.get(nonce, 8) << 32;
        byte[] counters = s.counters;
        for (int b = 0; b < blocks; b++) {
            LONGS.set(counters, b * BLOCK, high);
            LONGS.set(counters, b * BLOCK + 8, low | (b + 1));
        }
        try {
            aes.update(counters, 0, blocks * BLOCK, s.keystream, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES counter blocks: " + e, e);
        }
    }

    /** work[at, at + length) ^= keystream[16, 16 + length), eight bytes at a time (C2 left a byte loop scalar). */
    private static void xorKeystream(byte[] work, int at, byte[] keystream, int length) {
        int i = 0;
        for (; i <= length - 8; i += 8) {
            WORDS.set(work, at + i, (long) WORDS.get(work, at + i) ^ (long) WORDS.get(keystream, BLOCK + i));
        }
        for (; i < length; i++) {
            work[at + i] ^= keystream[BLOCK + i];
        }
    }

    private static int padded(int length) {
        return (length + BLOCK - 1) & -BLOCK;
    }

    /**
     * The tag, GHASH(aad, ciphertext) XOR E(K, J0), into the scratch's {@code tag}, with the ciphertext at
     * {@code work[padded(aad.length), + length)}: the AAD and zeros go in front of it, zeros and the length block
     * behind it, and GHASH runs once over the whole (one intrinsic call instead of one per part).
     */
    private void hash(Scratch s, byte[] aad, int length) {
        byte[] work = s.work;
        int text = padded(aad.length);
        System.arraycopy(aad, 0, work, 0, aad.length);
        Arrays.fill(work, aad.length, text, (byte) 0);
        int end = text + padded(length);
        Arrays.fill(work, text + length, end, (byte) 0);
        LONGS.set(work, end, (long) aad.length * 8);
        LONGS.set(work, end + 8, (long) length * 8);
        ghash.update(work, 0, end + BLOCK);
        ghash.finish(s.tag, 0);
        for (int i = 0; i < BLOCK; i++) {
            s.tag[i] ^= s.keystream[i];
        }
    }

    /**
     * GCM test case 4 of the specification (McGrew and Viega; AES-128, 60-byte text, 20-byte AAD) sealed and
     * opened once; null when both give the published bytes.
     */
    private static String selfTest() {
        String reason = JdkGhash.unavailableReason();
        if (reason != null) {
            return reason;
        }
        byte[] key = HexFormat.of().parseHex("feffe9928665731c6d6a8f9467308308");
        byte[] nonce = HexFormat.of().parseHex("cafebabefacedbaddecaf888");
        byte[] aad = HexFormat.of().parseHex("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        byte[] plain = HexFormat.of().parseHex("d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
                + "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        byte[] sealed = HexFormat.of().parseHex("42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e"
                + "21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091" + "5bc94fbc3221a5db94fae95ae7121a47");
        try {
            ComposedAesGcm gcm = new ComposedAesGcm(key);
            ByteBuffer out = ByteBuffer.allocate(sealed.length);
            gcm.seal(nonce, aad, ByteBuffer.wrap(plain), out);
            ByteBuffer back = ByteBuffer.allocate(plain.length);
            int opened = gcm.open(nonce, aad, ByteBuffer.wrap(sealed), back);
            if (!Arrays.equals(out.array(), sealed) || opened != plain.length
                    || !Arrays.equals(back.array(), plain)) {
                return "AES-GCM from the JDK's AES and GHASH gave a wrong answer to GCM test case 4";
            }
            return null;
        } catch (RuntimeException e) {
            return "AES-GCM from the JDK's AES and GHASH failed GCM test case 4: " + e;
        }
    }
}
