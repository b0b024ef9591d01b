package io.weft.backend.ipsec;

/**
 * The two AES-GCM implementations. {@link #DATA_PATH} is the one the forwarding threads use: the JDK's, which
 * AeadBenchmark measured several times faster than Bouncy Castle's pure-Java GCM (figures in the README).
 */
enum AeadKind {
    JDK {
        @Override
        Aead create(byte[] key) {
            return new JdkAesGcm(key);
        }
    },
    BOUNCY_CASTLE {
        @Override
        Aead create(byte[] key) {
            return new BcAesGcm(key);
        }
    };

    static final AeadKind DATA_PATH = JDK;

    abstract Aead create(byte[] key);
}
