package io.weft.backend.ipsec;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes the checked-in seed corpus of {@link EspOpenFuzzTest} (operation sequences: seal, deliver, replay,
 * reorder, flip, cut, make up, rotate) into {@code src/test/resources/io/weft/backend/ipsec/
 * EspOpenFuzzTestInputs/open/}, where Jazzer's regression mode (every normal test run) replays them. Run it after
 * changing the input layout: {@code mvn -pl backend-ipsec test-compile exec:java -Dexec.classpathScope=test
 * -Dexec.mainClass=io.weft.backend.ipsec.FuzzSeeds}.
 */
public final class FuzzSeeds {
    private static final int SEAL = 0;
    private static final int DELIVER = 1;
    private static final int FLIP = 2;
    private static final int RESIZE = 3;
    private static final int MADE_UP = 4;
    private static final int TICK = 5;
    private static final int TICK_61_S = 3;
    private static final int TICK_250_S = 4;

    private FuzzSeeds() {
    }

    public static void main(String[] args) throws IOException {
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources")
                .resolve("io/weft/backend/ipsec/EspOpenFuzzTestInputs/open");
        Files.createDirectories(dir);
        Files.write(dir.resolve("seal-and-open"), ops(seal(100), DELIVER, 0));
        Files.write(dir.resolve("every-padding"), ops(seal(20), seal(21), seal(22), seal(23), seal(1438), DELIVER, 0,
                DELIVER, 1, DELIVER, 2, DELIVER, 3, DELIVER, 4));
        Files.write(dir.resolve("replayed"), ops(seal(84), DELIVER, 0, DELIVER, 0));
        Files.write(dir.resolve("reordered"), ops(seal(84), seal(85), seal(86), DELIVER, 2, DELIVER, 0, DELIVER, 1));
        Files.write(dir.resolve("flipped-icv"), ops(seal(84), FLIP, 0, 0, 0, 119, 1, DELIVER, 0, DELIVER, 0));
        Files.write(dir.resolve("flipped-spi"), ops(seal(84), FLIP, 0, 0, 0, 0, 1, DELIVER, 0));
        Files.write(dir.resolve("flipped-seq"), ops(seal(84), FLIP, 0, 0, 0, 7, 1, DELIVER, 0));
        Files.write(dir.resolve("cut-and-extended"), ops(seal(84), RESIZE, 0, 0, 40, RESIZE, 0, 0, 140, RESIZE, 0,
                0, 31, TICK, 0, DELIVER, 0));
        Files.write(dir.resolve("rotation-overlap-expiry"), ops(seal(100), DELIVER, 0, TICK, TICK_61_S, seal(100),
                DELIVER, 1, DELIVER, 0, seal(100), TICK, TICK_250_S, DELIVER, 2, seal(100), DELIVER, 3));
        byte[] forged = new byte[64];
        ByteBuffer.wrap(forged).putInt(0, (int) (1_770_000_000L + 61)).putInt(4, 1);
        Files.write(dir.resolve("forged-future-spi-before-rotation"), ops(seal(100), DELIVER, 0, TICK, TICK_61_S,
                MADE_UP, 0, forged.length, forged, seal(100), DELIVER, 1));
        Files.write(dir.resolve("made-up-short"), ops(MADE_UP, 0, 12, new byte[12], seal(20), DELIVER, 0));
    }

    /** Seals an inner packet of {@code length} bytes (20 to 1500). */
    private static byte[] seal(int length) {
        int n = length - 20;
        return new byte[] {SEAL, (byte) (n >>> 8), (byte) n, (byte) length};
    }

    /** Ints are single bytes; byte arrays go in as they are. */
    private static byte[] ops(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object p : parts) {
            if (p instanceof byte[] bytes) {
                out.writeBytes(bytes);
            } else {
                out.write((Integer) p);
            }
        }
        return out.toByteArray();
    }
}
