package io.weft.backend.ipsec;

/**
 * The three AES-GCM implementations. {@link #DATA_PATH} is the one the forwarding threads use:
 * {@link ComposedAesGcm} (the JDK's AES and GHASH intrinsics, keyed once per SA) where this JVM opens the JDK's
 * GHASH to weft, else the JCE's {@code Cipher} ({@link JdkAesGcm}); AeadBenchmark measures all three (figures in the
 * README). Bouncy Castle's pure-Java GCM is the reference both are checked against.
 */
enum AeadKind {
    JDK("jce-cipher") {
        @Override
        Aead create(byte[] key) {
            return new JdkAesGcm(key);
        }
    },
    COMPOSED("jdk-aes+ghash") {
        @Override
        Aead create(byte[] key) {
            return new ComposedAesGcm(key);
        }
    },
    BOUNCY_CASTLE("bouncy-castle") {
        @Override
        Aead create(byte[] key) {
            return new BcAesGcm(key);
        }
    };

    static final AeadKind DATA_PATH = ComposedAesGcm.unavailableReason() == null ? COMPOSED : JDK;

    private final String label;

    AeadKind(String label) {
        this.label = label;
    }

    abstract Aead create(byte[] key);

    /** The name the daemon's start line gives it ({@code aesGcm=}). */
    String label() {
        return label;
    }
}
