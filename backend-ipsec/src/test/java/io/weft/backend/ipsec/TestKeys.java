package io.weft.backend.ipsec;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.HexFormat;

/** Fixed keys and helpers shared by the tests. */
final class TestKeys {
    static final String PSK_TEXT = "0123456789abcdef0123456789abcdef-test-psk";
    static final Psk PSK = Psk.of(PSK_TEXT);
    /** The PublicIPs of the tests' two hosts: alice (keys seeded 1) and bob (keys seeded 2). */
    static final int ALICE_IP = io.weft.core.model.Ipv4.parse("ALICE_IP", "198.18.0.1");
    static final int BOB_IP = io.weft.core.model.Ipv4.parse("BOB_IP", "198.18.0.2");

    private TestKeys() {
    }

    static SecureRandom seeded(long seed) {
        try {
            SecureRandom r = SecureRandom.getInstance("SHA1PRNG");
            r.setSeed(seed);
            return r;
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] hex(String s) {
        return HexFormat.of().parseHex(s.replace(" ", ""));
    }

    static String hex(byte[] b) {
        return HexFormat.of().formatHex(b);
    }

    /** A minimal IPv4 packet of {@code length} bytes (header + payload pattern), in a buffer with tail room. */
    static ByteBuffer packet(int length, int seed) {
        ByteBuffer b = ByteBuffer.allocateDirect(length + 64);
        for (int i = 0; i < length; i++) {
            b.put(i, (byte) (i * 31 + seed));
        }
        if (length >= 20) {
            b.put(0, (byte) 0x45);
            b.putShort(2, (short) length);
        }
        b.limit(length);
        return b;
    }

    static byte[] bytes(ByteBuffer b, int from, int length) {
        byte[] out = new byte[length];
        b.get(from, out);
        return out;
    }

    /** The lease of an ipsec peer at {@code publicIp} with {@code keys}, as its backend asks for it. */
    static Lease lease(String subnet, String publicIp, X25519Keys keys) {
        return new Lease(Ipv4Subnet.parse(subnet), new LeaseAttrs(publicIp, null, EspTransform.TYPE,
                EspTransform.backendData(keys)), null);
    }
}
