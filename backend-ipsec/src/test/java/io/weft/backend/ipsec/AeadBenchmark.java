package io.weft.backend.ipsec;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The per-packet AEAD, weft's composed AES-GCM against the JCE's Cipher and Bouncy Castle: {@code seal} is a whole outbound ESP encapsulation
 * ({@link OutboundSa#seal}: trailer, header, AES-GCM), {@code open} the AES-GCM verification and decryption of
 * one ESP payload. A benchmark, not a test: run it with {@code scripts/ipsec-jmh} (see the README), which
 * prints the figures. Kept short (1 fork, 2 x 1 s warm-up, 3 x 1 s measurement) for shared machines.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Fork(value = 1, jvmArgsAppend = {"-Xmx256m", "--add-opens", "java.base/com.sun.crypto.provider=ALL-UNNAMED"})
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 1)
public class AeadBenchmark {
    @Param({"COMPOSED", "JDK", "BOUNCY_CASTLE"})
    public String provider;

    @Param({"64", "1438"})
    public int size;

    private OutboundSa sa;
    private ByteBuffer packet;
    private ByteBuffer esp;
    private Aead aead;
    private ByteBuffer sealed;
    private ByteBuffer plain;
    private final byte[] nonce = new byte[12];
    private final byte[] aad = new byte[12];

    @Setup
    public void setup() {
        AeadKind kind = AeadKind.valueOf(provider);
        SaKey key = new SaKey(0x69000000, new byte[32], new byte[4]);
        sa = new OutboundSa(key, kind, 0x5555L, 0);
        packet = ByteBuffer.allocateDirect(size + 64);
        esp = ByteBuffer.allocateDirect(size + 128);
        aead = kind.create(key.key());
        ByteBuffer src = ByteBuffer.allocateDirect(size);
        sealed = ByteBuffer.allocateDirect(size + 16);
        aead.seal(nonce, aad, src, sealed);
        sealed.flip();
        plain = ByteBuffer.allocateDirect(size + 16);
    }

    @Benchmark
    public int seal() {
        packet.clear().limit(size);
        esp.clear();
        return sa.seal(packet, esp);
    }

    @Benchmark
    public int open() {
        plain.clear();
        return aead.open(nonce, aad, sealed.duplicate(), plain);
    }
}
