package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.core.testing.FuzzInput;
import io.weft.core.testing.ManualClock;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Fuzz target for the receiving side of ESP with real keys: host A seals packets for host B with the SA pair
 * their key derivation gives (X25519 and the PSK, as {@link EspTransform} makes them from leases), and B opens
 * whatever the input makes of them: the datagrams as sent, in any order and repeated, with bytes flipped,
 * cut or extended, or made up, while the clock moves through SA rotations. Each datagram is opened in place
 * the way {@link EspPacketTransform} does, at a non-zero offset of a canary-filled buffer that ends with the
 * datagram. B's verdicts are checked against a reference open (Bouncy Castle's AES-GCM with the key the key
 * derivation gives for the datagram's SPI): keys and SPIs are the same in every input, so what makes a
 * datagram authentic is the key, not which input sealed it. Seeds: {@code EspOpenFuzzTestInputs/}, written by
 * {@link FuzzSeeds}.
 */
class EspOpenFuzzTest {
    private static final long T0 = 1_770_000_000L;
    private static final long SECOND = 1_000_000_000L;
    private static final long[] TICKS = {SECOND / 100, SECOND, 31 * SECOND, 61 * SECOND, 250 * SECOND};
    private static final X25519Keys KA = X25519Keys.generate(TestKeys.seeded(1));
    private static final X25519Keys KB = X25519Keys.generate(TestKeys.seeded(2));
    /** B's keying for A, made apart from B's transform: the reference's source of A's SA keys. */
    private static final PeerKeys REFERENCE = new PeerKeys(new SaKeyDerivation(TestKeys.PSK, 256), KB,
            TestKeys.BOB_IP, KA.publicKey(), TestKeys.ALICE_IP, AeadKind.BOUNCY_CASTLE, TestKeys.seeded(4));
    private static final int MAX_OPS = 64;
    /** What surrounds each datagram: written bytes show as differences. */
    private static final byte[] CANARY = canary();

    private static EspTransform transform(X25519Keys own, EspStats stats, String ip) {
        return new EspTransform(own, new SaKeyDerivation(TestKeys.PSK, 256), RekeyPolicy.of(Duration.ofSeconds(60)),
                AeadKind.DATA_PATH, TestKeys.seeded(3), stats, ip, new ManualClock(), 1);
    }

    /**
     * Properties: opening never throws and reads and writes only the datagram; the verdict is an inner length or
     * a known {@link EspDrop}, counted once in B's stats. B accepts only an authentic datagram (the reference
     * opens it: no forgery), each SPI and sequence number once (no replay), and returns exactly the packet in
     * it, right after the ESP header. It calls a datagram {@code esp-auth-failed} only if it is not authentic,
     * and {@code esp-bad-trailer}, {@code esp-not-ipv4} or {@code esp-dummy} only if it is and its trailer says
     * so. It installs a new SA only on an authentic datagram of that SA. A datagram A sealed, opened unchanged,
     * gives A's packet.
     *
     * <p>Input: operations to the end, each a byte (mod 6) and its arguments. 0 seal: 16-bit inner length
     * (20 to 1500), a pattern byte; 1 deliver: which sent datagram; 2 flip: which, how many (1-4), then 16-bit
     * positions and xor masks; 3 resize: which, 16-bit new length (up to 64 bytes longer); 4 made up: 16-bit
     * length and the bytes; 5 tick: the clock moves 10 ms, 1 s, 31 s, 61 s or 250 s (rotation is at 60 s).
     */
    @FuzzTest
    void open(byte[] data) {
        FuzzInput in = new FuzzInput(data);
        Receiver b = new Receiver();
        EspTransform a = transform(KA, new EspStats(), "198.18.0.1");
        EspTransform.Session toB = a.session(TestKeys.lease("100.96.2.0/24", "198.18.0.2", KB));
        List<Sent> sent = new ArrayList<>();
        long now = 0;
        for (int ops = 0; ops < MAX_OPS && !in.exhausted(); ops++) {
            int op = in.u8() % 6;
            if (op == 0) {
                sent.add(seal(a, toB, 20 + in.u16() % 1481, in.u8(), now));
            } else if (op == 5) {
                now += TICKS[in.u8() % TICKS.length];
            } else if (op == 4) {
                b.deliver(in.bytes(in.u16() % 1600), null, now);
            } else if (!sent.isEmpty()) {
                Sent s = sent.get(in.u8() % sent.size());
                byte[] d = s.datagram.clone();
                if (op == 2) {
                    int flips = 1 + in.u8() % 4;
                    for (int i = 0; i < flips; i++) {
                        d[in.u16() % d.length] ^= (byte) (1 + in.u8() % 255);
                    }
                } else if (op == 3) {
                    d = Arrays.copyOf(d, in.u16() % (d.length + 64));
                }
                b.deliver(d, op == 1 ? s : null, now);
            }
        }
    }

    /** One datagram A sent, and the packet in it. */
    private record Sent(byte[] datagram, byte[] inner) {
    }

    private static Sent seal(EspTransform a, EspTransform.Session toB, int length, int pattern, long now) {
        ByteBuffer inner = TestKeys.packet(length, pattern);
        byte[] innerBytes = TestKeys.bytes(inner, 0, length);
        ByteBuffer out = ByteBuffer.allocateDirect(length + 128);
        int n = a.seal(toB, 0, inner, out, now, T0 + now / SECOND);
        assertEquals(Esp.espLength(length), n);
        return new Sent(TestKeys.bytes(out, 0, n), innerBytes);
    }

    /** Host B, its session for A, and what it has accepted. */
    private static final class Receiver {
        private final EspStats stats = new EspStats();
        private final EspTransform esp = transform(KB, stats, "198.18.0.2");
        private final EspTransform.Session toA = esp.session(TestKeys.lease("100.96.1.0/24", "198.18.0.1", KA));
        private final Set<Long> accepted = new HashSet<>();
        private int deliveries;

        /** Opens {@code datagram} in place and checks the verdict; {@code sent} when it is A's datagram unchanged. */
        void deliver(byte[] datagram, Sent sent, long now) {
            int off = 64 + deliveries++ % 7;
            ByteBuffer buffer = ByteBuffer.allocateDirect(off + datagram.length + 64);
            buffer.put(0, CANARY, 0, buffer.capacity());
            buffer.put(off, datagram);
            ByteBuffer src = buffer.duplicate();
            src.limit(off + datagram.length).position(off);
            ByteBuffer dst = buffer.duplicate();
            dst.position(off + EspPacketTransform.HEADROOM);
            long openedBefore = stats.openedCount();
            long[] dropsBefore = drops();
            InboundSa currentBefore = toA.in(0).current();
            int r = esp.open(toA, src, dst, now, T0 + now / SECOND);

            byte[] after = TestKeys.bytes(buffer, 0, buffer.capacity());
            System.arraycopy(CANARY, off, after, off, datagram.length);
            int written = Arrays.mismatch(after, 0, after.length, CANARY, 0, after.length);
            if (written >= 0) {
                fail("byte " + written + " outside the datagram [" + off + ", " + (off + datagram.length)
                        + ") was written");
            }
            byte[] plain = referenceOpen(datagram);
            EspDrop reason = r >= 0 ? null : EspDrop.fromCode(r);
            if (r >= 0) {
                assertEquals(openedBefore + 1, stats.openedCount());
                assertTrue(plain != null, "accepted a datagram that is not authentic");
                assertEquals(-1, referenceTrailer(plain), "accepted a datagram whose trailer is wrong");
                byte[] inner = Arrays.copyOf(plain, plain.length - 2 - (plain[plain.length - 2] & 0xff));
                assertArrayEquals(inner, TestKeys.bytes(buffer, off + EspPacketTransform.HEADROOM, r));
            } else {
                assertTrue(reason != EspDrop.NO_SA && reason != EspDrop.UNKNOWN_PEER, "a drop for a missing session");
                long[] dropsAfter = drops();
                dropsBefore[reason.ordinal()]++;
                assertArrayEquals(dropsBefore, dropsAfter, "the drop is counted once, as " + reason);
                assertEquals(openedBefore, stats.openedCount());
                if (reason == EspDrop.AUTH_FAILED) {
                    assertTrue(plain == null, "an authentic datagram failed authentication");
                }
                if (reason == EspDrop.BAD_TRAILER || reason == EspDrop.NOT_IPV4 || reason == EspDrop.DUMMY) {
                    assertTrue(plain != null, reason + " for a datagram that is not authentic");
                    assertEquals(reason.ordinal(), referenceTrailer(plain), "the trailer's verdict");
                }
            }
            if (r >= 0 || reason == EspDrop.BAD_TRAILER || reason == EspDrop.NOT_IPV4 || reason == EspDrop.DUMMY) {
                long id = (long) ByteBuffer.wrap(datagram).getInt(0) << 32 | ByteBuffer.wrap(datagram).getInt(4)
                        & 0xffffffffL;
                assertTrue(accepted.add(id), "accepted SPI and sequence number " + Long.toHexString(id) + " twice");
            }
            if (sent != null && r >= 0) {
                assertArrayEquals(sent.inner(), TestKeys.bytes(buffer, off + EspPacketTransform.HEADROOM, r));
            }
            InboundSa current = toA.in(0).current();
            if (current != currentBefore) {
                assertTrue(plain != null && ByteBuffer.wrap(datagram).getInt(0) == current.spi(),
                        "SA " + Esp.spiHex(current.spi()) + " installed without an authentic datagram of it");
            }
        }

        private long[] drops() {
            long[] out = new long[EspDrop.values().length];
            for (EspDrop d : EspDrop.values()) {
                out[d.ordinal()] = stats.drops(d);
            }
            return out;
        }
    }

    /**
     * The reference open: the plaintext (inner packet, padding, Pad Length, Next Header) when the datagram is
     * authentic under the key of A's SA with its SPI (sequence numbers here stay below 2^32), else null.
     */
    static byte[] referenceOpen(byte[] d) {
        if (d.length < InboundSa.MIN_LENGTH || ((d.length - Esp.HEADER_BYTES - Esp.ICV_BYTES) & 3) != 0) {
            return null;
        }
        ByteBuffer b = ByteBuffer.wrap(d);
        SaKey key = REFERENCE.inboundKey(b.getInt(0));
        byte[] nonce = new byte[Esp.NONCE_BYTES];
        System.arraycopy(key.salt(), 0, nonce, 0, Esp.SALT_BYTES);
        System.arraycopy(d, Esp.SPI_BYTES + Esp.SEQ_BYTES, nonce, Esp.SALT_BYTES, Esp.IV_BYTES);
        byte[] aad = ByteBuffer.allocate(Esp.AAD_BYTES).putInt(b.getInt(0)).putInt(0).putInt(b.getInt(4)).array();
        ByteBuffer out = ByteBuffer.allocate(d.length);
        int n = AeadKind.BOUNCY_CASTLE.create(key.key()).open(nonce, aad,
                ByteBuffer.wrap(d, Esp.HEADER_BYTES, d.length - Esp.HEADER_BYTES), out);
        return n < 0 ? null : Arrays.copyOf(out.array(), n);
    }

    /** What the trailer of a plaintext says: -1 for a good IPv4 one, else the ordinal of the drop it deserves. */
    static int referenceTrailer(byte[] plain) {
        int n = plain.length;
        int pad = plain[n - 2] & 0xff;
        if (pad > n - 2) {
            return EspDrop.BAD_TRAILER.ordinal();
        }
        for (int i = 0; i < pad; i++) {
            if ((plain[n - 2 - pad + i] & 0xff) != i + 1) {
                return EspDrop.BAD_TRAILER.ordinal();
            }
        }
        int next = plain[n - 1] & 0xff;
        if (next == Esp.NEXT_HEADER_NO_NEXT) {
            return EspDrop.DUMMY.ordinal();
        }
        return next == Esp.NEXT_HEADER_IPV4 ? -1 : EspDrop.NOT_IPV4.ordinal();
    }

    private static byte[] canary() {
        byte[] c = new byte[64 + 8 + 1600 + 64 + 64];
        for (int i = 0; i < c.length; i++) {
            c[i] = (byte) (0xa5 ^ (i * 0x3b));
        }
        return c;
    }
}
