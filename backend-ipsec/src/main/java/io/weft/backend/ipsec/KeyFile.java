package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Set;

/**
 * The file that keeps this host's X25519 private key across restarts: one base64 line after a comment,
 * mode 0600 in a directory made 0700 if weft creates it. A new key is written to a temp file and hard-linked
 * into place, so a reader never sees a partial key and two starting daemons agree on one key. A key file
 * readable by group or others is refused rather than used. Stateless; safe from any thread.
 */
final class KeyFile {
    static final String FILE_NAME = "ipsec-x25519.key";
    static final Set<PosixFilePermission> MODE_0600 = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> MODE_0700 = PosixFilePermissions.fromString("rwx------");
    private static final String HEADER = "# weft ipsec X25519 private key: keep it secret (mode 0600)";

    private KeyFile() {
    }

    /** Loads the key at {@code file}, creating it (and its directory) first if it does not exist. */
    static X25519Keys loadOrCreate(Path file, SecureRandom random) {
        if (!Files.exists(file)) {
            create(file, X25519Keys.generate(random));
        }
        return load(file);
    }

    /** Loads an existing key file, refusing one that others may read. */
    static X25519Keys load(Path file) {
        requireReadable(file);
        checkMode(file);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new WeftException("cannot read the ipsec key file " + file + ": " + e, e);
        }
        String key = lines.stream().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
                .findFirst().orElse("");
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(key);
        } catch (IllegalArgumentException e) {
            bytes = new byte[0];
        }
        if (bytes.length != X25519Keys.KEY_BYTES) {
            throw new WeftException("ipsec key file " + file + " does not hold a base64 X25519 private key: delete"
                    + " it to have weft make a new one (peers pick the new public key up from the lease)");
        }
        return X25519Keys.fromPrivate(bytes);
    }

    /**
     * Fails unless this process can open {@code file} for reading. Root passes permission checks, so this is
     * an open, not a look at the mode bits.
     */
    static void requireReadable(Path file) {
        try (var in = Files.newInputStream(file)) {
            in.read();
        } catch (NoSuchFileException e) {
            throw new WeftException("ipsec key file " + file + " does not exist: run this on a host where the"
                    + " ipsec backend has started, or set " + IpsecSettings.STATE_DIR_ENV + " to its directory", e);
        } catch (AccessDeniedException e) {
            throw new WeftException("cannot read the ipsec key file " + file + ": permission denied; run as the"
                    + " user that runs the weft daemon (usually root)", e);
        } catch (IOException e) {
            throw new WeftException("cannot read the ipsec key file " + file + ": " + e.getMessage(), e);
        }
    }

    private static void checkMode(Path file) {
        Set<PosixFilePermission> mode;
        try {
            mode = Files.getPosixFilePermissions(file);
        } catch (IOException | UnsupportedOperationException e) {
            throw new WeftException("cannot read the mode of the ipsec key file " + file + ": " + e, e);
        }
        for (PosixFilePermission p : mode) {
            if (!p.name().startsWith("OWNER")) {
                throw new WeftException("ipsec key file " + file + " has mode " + PosixFilePermissions.toString(mode)
                        + ", readable by others: make it private with 'chmod 600 " + file + "'");
            }
        }
    }

    private static void create(Path file, X25519Keys keys) {
        Path dir = file.toAbsolutePath().getParent();
        try {
            if (!Files.isDirectory(dir)) {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(MODE_0700));
            }
            Path temp = Files.createTempFile(dir, ".ipsec-key", ".tmp", PosixFilePermissions.asFileAttribute(MODE_0600));
            try {
                String text = HEADER + "\n" + Base64.getEncoder().encodeToString(keys.privateKeyBytes()) + "\n";
                Files.writeString(temp, text, StandardCharsets.US_ASCII);
                Files.setPosixFilePermissions(temp, MODE_0600);
                try {
                    Files.createLink(file, temp);
                } catch (FileAlreadyExistsException e) {
                    // Another daemon won the race; its key is the one to use.
                }
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new WeftException("cannot create the ipsec key file " + file + ": " + e
                    + "; set " + IpsecSettings.STATE_DIR_ENV + " or Backend.StateDir to a writable directory", e);
        }
    }
}
