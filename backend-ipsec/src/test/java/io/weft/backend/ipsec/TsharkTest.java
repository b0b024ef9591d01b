package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.core.testing.HostRequirements;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The wire format checked by an implementation nobody here wrote: ESP-in-UDP packets from {@link OutboundSa}
 * are written to a pcap file and dissected by tshark (Debian's package), which must decode them as ESP and,
 * given the SA line {@link WiresharkEspSa} prints, decrypt them to the inner ICMP packets. Skipped when tshark
 * is not installed. Works on files only; nothing touches a network.
 */
class TsharkTest {
    private static final String MARKER = "weft-marker-7f3a9c";
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    @Timeout(60)
    void tsharkDecodesAndDecrypts(int bits) throws Exception {
        HostRequirements.require(Need.executable("/usr/bin/tshark"));
        X25519Keys a = X25519Keys.generate(TestKeys.seeded(1));
        X25519Keys b = X25519Keys.generate(TestKeys.seeded(2));
        PeerKeys keys = new PeerKeys(new SaKeyDerivation(TestKeys.PSK, bits), a, TestKeys.ALICE_IP, b.publicKey(),
                TestKeys.BOB_IP, AeadKind.JDK,
                TestKeys.seeded(3));
        int spi = 1_770_000_123;
        OutboundSa sa = keys.outbound(spi, 0);
        Pcap pcap = new Pcap();
        for (int i = 1; i <= 3; i++) {
            byte[] inner = Pcap.ipv4(1, "100.96.1.2", "100.96.2.2",
                    Pcap.icmpEcho(i, (MARKER + "-" + i).getBytes(StandardCharsets.US_ASCII)));
            ByteBuffer src = ByteBuffer.allocateDirect(inner.length + 8);
            src.put(inner).flip();
            ByteBuffer esp = ByteBuffer.allocateDirect(inner.length + 64);
            sa.seal(src, esp);
            esp.flip();
            byte[] payload = new byte[esp.remaining()];
            esp.get(payload);
            pcap.add(Pcap.ipv4(17, "198.18.0.1", "198.18.0.2", Pcap.udp(4500, payload)));
        }
        Path file = dir.resolve("esp.pcap");
        pcap.write(file);

        String plain = tshark(file, List.of("-V"));
        assertTrue(plain.contains("Encapsulating Security Payload"), plain);
        assertFalse(plain.contains(MARKER), "no cleartext in the capture");

        String line = WiresharkEspSa.line("198.18.0.1", "198.18.0.2", keys.outboundKey(spi));
        String decrypted = tshark(file, List.of("-o", "esp.enable_encryption_decode:TRUE", "-o", "uat:esp_sa:" + line,
                "-T", "fields", "-e", "esp.spi", "-e", "esp.sequence", "-e", "icmp.type", "-e", "icmp.seq", "-e",
                "data.data"));
        List<String> rows = decrypted.lines().filter(l -> !l.isBlank()).toList();
        assertEquals(3, rows.size(), decrypted);
        for (int i = 1; i <= 3; i++) {
            String[] f = rows.get(i - 1).split("\t");
            assertEquals(String.format("0x%08x", spi), f[0]);
            assertEquals(String.valueOf(i), f[1]);
            assertEquals("8", f[2]);
            assertEquals(String.valueOf(i), f[3]);
            assertEquals(TestKeys.hex((MARKER + "-" + i).getBytes(StandardCharsets.US_ASCII)), f[4]);
        }
    }

    private String tshark(Path file, List<String> options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/usr/bin/tshark", "-n", "-r", file.toString()));
        cmd.addAll(options);
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("tshark.err").toFile()).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS), "tshark finished");
        assertEquals(0, p.exitValue(), Files.readString(dir.resolve("tshark.err")));
        return new String(out, StandardCharsets.UTF_8);
    }
}
