package io.weft.core.daemon;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Reads and writes {@code subnet.env}. Writes go to a temp file in the same folder, which is then renamed
 * over the target, so readers never see half a file. Thread-safe for distinct paths.
 */
public final class SubnetEnvFile {
    public static final Path DEFAULT_PATH = Path.of("/run/flannel/subnet.env");

    private final Path path;

    public SubnetEnvFile(Path path) {
        this.path = Objects.requireNonNull(path, "path is null");
    }

    public Path path() {
        return path;
    }

    /** Writes the file atomically with mode 0644, creating its folder if needed. */
    public void write(SubnetEnv env) {
        Path dir = path.toAbsolutePath().getParent();
        try {
            Files.createDirectories(dir);
            Path tmp = Files.createTempFile(dir, "." + path.getFileName(), ".tmp");
            try {
                Files.writeString(tmp, env.render(), StandardCharsets.UTF_8);
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
                try {
                    Files.move(tmp, path, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING);
                }
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new WeftException("cannot write subnet file " + path + ": " + e
                    + "; pass a writable path with --subnet-file", e);
        }
    }

    /** The subnet named by FLANNEL_SUBNET in the existing file, if there is a readable one. */
    public Optional<Ipv4Subnet> previousSubnet() {
        Map<String, String> vars = new HashMap<>();
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    vars.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim());
                }
            }
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new WeftException("cannot read subnet file " + path + ": " + e, e);
        }
        String subnet = vars.get("FLANNEL_SUBNET");
        if (subnet == null || subnet.indexOf('/') < 0) {
            return Optional.empty();
        }
        try {
            int slash = subnet.indexOf('/');
            int len = Integer.parseInt(subnet.substring(slash + 1));
            return Optional.of(Ipv4Subnet.containing(Ipv4.parse("FLANNEL_SUBNET", subnet.substring(0, slash)), len));
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
