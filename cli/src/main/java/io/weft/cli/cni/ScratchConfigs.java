package io.weft.cli.cni;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.Set;

/**
 * The delegate configs ADD used, kept in the data dir (one file per container, mode 0600) so that DEL
 * and CHECK use exactly what ADD used even if subnet.env has changed since. Stateless.
 */
final class ScratchConfigs {
    private final Path dataDir;

    ScratchConfigs(Path dataDir) {
        this.dataDir = dataDir;
    }

    void save(String containerId, byte[] config) {
        Path target = file(containerId);
        try {
            Files.createDirectories(dataDir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            // Named by the container and this process rather than Files.createTempFile's random name, whose
            // SecureRandom costs the one-shot plugin process milliseconds of start-up; ids never start with '.'.
            Path tmp = dataDir.resolve(".tmp-" + containerId + "-" + ProcessHandle.current().pid());
            Files.deleteIfExists(tmp);
            try (SeekableByteChannel out = Files.newByteChannel(tmp, Set.of(StandardOpenOption.CREATE_NEW,
                    StandardOpenOption.WRITE), PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
                ByteBuffer buffer = ByteBuffer.wrap(config);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
            }
            Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot save the delegate config in " + dataDir,
                    e + "; set dataDir in the network config to a writable folder");
        }
    }

    Optional<byte[]> load(String containerId) {
        try {
            return Optional.of(Files.readAllBytes(file(containerId)));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot read the delegate config of " + containerId, e.toString());
        }
    }

    void delete(String containerId) {
        try {
            Files.deleteIfExists(file(containerId));
        } catch (IOException e) {
            throw new CniException(CniException.IO_FAILURE, "cannot delete the delegate config of " + containerId, e.toString());
        }
    }

    private Path file(String containerId) {
        if (containerId.isEmpty() || containerId.contains("/") || containerId.startsWith(".")) {
            throw new CniException(CniException.INVALID_ENVIRONMENT, "CNI_CONTAINERID \"" + containerId + "\" is not valid",
                    "give a container id without '/' that does not start with '.'");
        }
        return dataDir.resolve(containerId);
    }
}
