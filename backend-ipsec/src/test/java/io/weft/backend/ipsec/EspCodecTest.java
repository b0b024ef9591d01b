package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

class EspCodecTest {
    static final SaKey KEY_128 = new SaKey(0x69b2c3d4, TestKeys.hex("feffe9928665731c6d6a8f9467308308"),
            TestKeys.hex("cafebabe"));
    static final SaKey KEY_256 = new SaKey(0x69b2c3d5,
            TestKeys.hex("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308"), TestKeys.hex("deadbeef"));
    static final long MASK = 0x0123456789abcdefL;

    static ByteBuffer seal(OutboundSa sa, ByteBuffer packet) {
        ByteBuffer out = ByteBuffer.allocateDirect(packet.remaining() + 64);
        sa.seal(packet, out);
        return out.flip();
    }

    /**
     * The layout, checked against an independent decryption with the JDK's raw AES-GCM: header, IV, the AAD
     * RFC 4106 section 5 asks for with extended sequence numbers, padding 1, 2, 3, Pad Length and Next Header 4.
     */
    @ParameterizedTest
    @CsvSource({"20, 2", "21, 1", "22, 0", "23, 3", "84, 2", "1438, 0"})
    void byteExactLayout(int length, int padding) throws Exception {
        OutboundSa sa = new OutboundSa(KEY_128, AeadKind.DATA_PATH, MASK, 0);
        ByteBuffer packet = TestKeys.packet(length, 7);
        byte[] inner = TestKeys.bytes(packet, 0, length);
        ByteBuffer esp = seal(sa, packet);
        assertEquals(Esp.espLength(length), esp.remaining());
        assertEquals(16 + length + padding + 2 + 16, esp.remaining());
        assertEquals(0x69b2c3d4, esp.getInt(0));
        assertEquals(1, esp.getInt(4));
        assertEquals(1L ^ MASK, esp.getLong(8));

        Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
        byte[] nonce = TestKeys.hex("cafebabe" + String.format("%016x", 1L ^ MASK));
        c.init(Cipher.DECRYPT_MODE, new SecretKeySpec(KEY_128.key(), "AES"), new GCMParameterSpec(128, nonce));
        c.updateAAD(TestKeys.hex("69b2c3d4" + "00000000" + "00000001"));
        byte[] plain = c.doFinal(TestKeys.bytes(esp, 16, esp.remaining() - 16));
        assertEquals(length + padding + 2, plain.length);
        byte[] expected = new byte[length + padding + 2];
        System.arraycopy(inner, 0, expected, 0, length);
        for (int i = 1; i <= padding; i++) {
            expected[length + i - 1] = (byte) i;
        }
        expected[length + padding] = (byte) padding;
        expected[length + padding + 1] = 4;
        assertArrayEquals(expected, plain);
    }

    /**
     * A complete ESP payload for fixed inputs, as bytes: AES-128-GCM, SPI 0x69b2c3d4, sequence number 1, IV
     * 0x0123456789abcdee, a 20-byte packet. Guards the format against accidental change; the expected bytes
     * were cross-checked by {@link #byteExactLayout} (independent JCE decryption) and by tshark (TsharkTest).
     */
    @Test
    void fixedVector() {
        OutboundSa sa = new OutboundSa(KEY_128, AeadKind.BOUNCY_CASTLE, MASK, 0);
        ByteBuffer packet = ByteBuffer.allocateDirect(64);
        packet.put(TestKeys.hex("450000140001000040fd00000a0000010a000002")).flip();
        String got = TestKeys.hex(TestKeys.bytes(seal(sa, packet), 0, 56));
        OutboundSa jdk = new OutboundSa(KEY_128, AeadKind.JDK, MASK, 0);
        packet.clear().put(TestKeys.hex("450000140001000040fd00000a0000010a000002")).flip();
        assertEquals(got, TestKeys.hex(TestKeys.bytes(seal(jdk, packet), 0, 56)));
        assertTrue(got.startsWith("69b2c3d4" + "00000001" + "0123456789abcdee"), got);
        assertEquals(FIXED, got);
    }

    static final String FIXED = "69b2c3d4000000010123456789abcdee"
            + "8965132d72299f4d02cab53a9fb39e28c7f104db" + "d6f369a3" + "7e26926e29cb8a5e1453ac67a9a01a30";

    @ParameterizedTest
    @EnumSource(AeadKind.class)
    void roundTripsAcrossSizesAndKeys(AeadKind kind) {
        for (SaKey key : new SaKey[] {KEY_128, KEY_256}) {
            OutboundSa out = new OutboundSa(key, kind, MASK, 0);
            InboundSa in = new InboundSa(key, kind == AeadKind.JDK ? AeadKind.BOUNCY_CASTLE : AeadKind.JDK, 0);
            for (int length : new int[] {0, 1, 2, 3, 19, 20, 21, 22, 23, 64, 100, 576, 1437, 1438, 8938, 65535 - 100}) {
                ByteBuffer packet = TestKeys.packet(length, length);
                byte[] inner = TestKeys.bytes(packet, 0, length);
                ByteBuffer esp = seal(out, packet);
                ByteBuffer plain = ByteBuffer.allocateDirect(length + 64);
                assertEquals(length, in.open(esp, plain), "length " + length);
                assertArrayEquals(inner, TestKeys.bytes(plain, 0, length));
            }
            assertEquals(16, in.accepted());
        }
    }

    @Test
    void extendedSequenceNumbersCrossTheLow32BitBoundary() {
        OutboundSa out = new OutboundSa(KEY_256, AeadKind.JDK, MASK, 0);
        InboundSa in = new InboundSa(KEY_256, AeadKind.JDK, 0);
        out.skipTo(0xfffffff0L);
        in.window().update(0xfffffff0L);
        for (int i = 0; i < 40; i++) {
            ByteBuffer esp = seal(out, TestKeys.packet(40, i));
            assertEquals(40, in.open(esp, ByteBuffer.allocateDirect(128)), "packet " + i);
        }
        assertEquals(0x100000018L, out.seq());
        assertEquals(0x100000018L, in.window().top());
        assertEquals(0x19, seal(out, TestKeys.packet(40, 0)).getInt(4));
    }

    @Test
    void theHighSequenceBitsAreAuthenticated() {
        OutboundSa out = new OutboundSa(KEY_128, AeadKind.JDK, MASK, 0);
        out.skipTo(0x100000000L);
        ByteBuffer esp = seal(out, TestKeys.packet(40, 1));
        InboundSa in = new InboundSa(KEY_128, AeadKind.JDK, 0);
        // The receiver's window says high bits 0, so it infers sequence number 1 and the ICV cannot verify.
        assertEquals(EspDrop.AUTH_FAILED.code(), in.open(esp, ByteBuffer.allocateDirect(128)));
    }

    @Test
    void everyFlippedByteIsCaughtAndTheWindowStaysPut() {
        OutboundSa out = new OutboundSa(KEY_128, AeadKind.JDK, MASK, 0);
        InboundSa in = new InboundSa(KEY_128, AeadKind.JDK, 0);
        ByteBuffer esp = seal(out, TestKeys.packet(60, 3));
        for (int i = 4; i < esp.remaining(); i++) {
            ByteBuffer copy = ByteBuffer.allocateDirect(esp.remaining());
            copy.put(esp.duplicate()).flip();
            copy.put(i, (byte) (copy.get(i) ^ 0x40));
            int r = in.open(copy, ByteBuffer.allocateDirect(256));
            assertTrue(r == EspDrop.AUTH_FAILED.code() || (i >= 4 && i < 8 && r == EspDrop.TOO_OLD.code()),
                    "byte " + i + " gave " + r);
            assertEquals(0, in.window().top(), "byte " + i);
        }
        assertEquals(60, in.open(esp.duplicate(), ByteBuffer.allocateDirect(256)));
        assertEquals(EspDrop.REPLAY.code(), in.open(esp.duplicate(), ByteBuffer.allocateDirect(256)));
    }

    @Test
    void replayAndOutOfOrder() {
        OutboundSa out = new OutboundSa(KEY_128, AeadKind.JDK, MASK, 0);
        InboundSa in = new InboundSa(KEY_128, AeadKind.JDK, 0);
        ByteBuffer[] packets = new ByteBuffer[3000];
        for (int i = 0; i < packets.length; i++) {
            packets[i] = seal(out, TestKeys.packet(30, i));
        }
        assertEquals(30, in.open(packets[2999].duplicate(), ByteBuffer.allocateDirect(128)));
        assertEquals(30, in.open(packets[1500].duplicate(), ByteBuffer.allocateDirect(128)));
        assertEquals(30, in.open(packets[3000 - ReplayWindow.SIZE].duplicate(), ByteBuffer.allocateDirect(128)));
        assertEquals(EspDrop.TOO_OLD.code(), in.open(packets[2999 - ReplayWindow.SIZE].duplicate(),
                ByteBuffer.allocateDirect(128)));
        assertEquals(EspDrop.REPLAY.code(), in.open(packets[1500].duplicate(), ByteBuffer.allocateDirect(128)));
        assertEquals(EspDrop.REPLAY.code(), in.open(packets[2999].duplicate(), ByteBuffer.allocateDirect(128)));
    }

    @ParameterizedTest
    @CsvSource({"0, esp-malformed", "33, esp-malformed", "35, esp-malformed"})
    void malformed(int length, String reason) {
        InboundSa in = new InboundSa(KEY_128, AeadKind.JDK, 0);
        ByteBuffer b = ByteBuffer.allocateDirect(64);
        b.limit(length);
        assertEquals(reason, EspDrop.fromCode(in.open(b, ByteBuffer.allocateDirect(64))).key());
    }
}
