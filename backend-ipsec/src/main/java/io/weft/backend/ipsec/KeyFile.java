package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Set;

/**
 * The file that keeps this host's X25519 private key across restarts: one base64 line after a comment,
 * mode 0600 in a directory made 0700 if weft creates it. A new key is written to a temp file and hard-linked
 * into place, so a reader never sees a partial key and two starting daemons agree on one key. The directory
 * must belong to weft's user and be writable by nobody else, and the key file must be weft's user's, mode 0600
 * or 0400, and not a symbolic link ({@link PrivateFiles}); anything else is refused rather than used, since a
 * planted key is a key someone else knows. Stateless; safe from any thread.
 */
final class KeyFile {
    static final String FILE_NAME = "ipsec-x25519.key";
    static final String WHAT = "ipsec key file";
    static final String DIR_WHAT = "ipsec state directory";
    static final Set<PosixFilePermission> MODE_0600 = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> MODE_0700 = PosixFilePermissions.fromString("rwx------");
    private static final String HEADER = "# weft ipsec X25519 private key: keep it secret (mode 0600)";
    private static final String DIR_FLAG = IpsecSettings.STATE_DIR_FLAG + " DIR (or " + IpsecSettings.STATE_DIR_ENV
            + ")";

    private KeyFile() {
    }

    /**
     * Loads the key at {@code file}, creating it (and its directory, mode 0700) first if it does not exist, after
     * checking the directory.
     */
    static X25519Keys loadOrCreate(Path file, SecureRandom random) {
        Path dir = file.toAbsolutePath().getParent();
        if (!Files.isDirectory(dir)) {
            try {
                Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(MODE_0700));
            } catch (IOException e) {
                throw new WeftException("cannot create the " + DIR_WHAT + " " + dir + ": " + e + "; choose a writable"
                        + " directory with " + DIR_FLAG, e);
            }
        }
        requirePrivateDirectory(dir);
        if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
            create(file, X25519Keys.generate(random));
        }
        return load(file);
    }

    /** Fails unless {@code dir} is this user's and writable by nobody else. */
    static void requirePrivateDirectory(Path dir) {
        PrivateFiles.requirePrivateDirectory(dir, DIR_WHAT, DIR_FLAG);
    }

    /**
     * Loads an existing key file, refusing a link, another user's file, or one that others may read. Root passes
     * permission checks, so whether the caller may read it is an open, not a look at the mode bits.
     */
    static X25519Keys load(Path file) {
        PrivateFiles.requireSecretFile(file, WHAT, "run this on a host where the ipsec backend has started, or give"
                + " its directory with " + DIR_FLAG, "delete it to have the daemon make a new key (peers pick the new"
                + " public key up from the lease), or run weft as its owner");
        String text = new String(PrivateFiles.readNoFollow(file, WHAT), StandardCharsets.US_ASCII);
        String key = text.lines().map(String::strip).filter(l -> !l.isEmpty() && !l.startsWith("#"))
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

    private static void create(Path file, X25519Keys keys) {
        Path dir = file.toAbsolutePath().getParent();
        try {
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
                    + "; choose a writable directory with " + DIR_FLAG, e);
        }
    }
}
