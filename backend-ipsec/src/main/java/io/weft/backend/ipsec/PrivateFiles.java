package io.weft.backend.ipsec;

import com.sun.security.auth.module.UnixSystem;
import io.weft.core.WeftException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.Set;

/**
 * The checks on the host-local places that hold ipsec secrets: a secret file (the PSK file, the X25519 key
 * file) must be a regular file of the user this process runs as, with mode 0600 or 0400, and is read without
 * following a symbolic link; the state directory must belong to that user and be writable by nobody else, so
 * nobody else can plant or swap a file in it between a check and a read. A file's attributes are those of the
 * entry itself, never of a link's target: whoever can make a link could point weft at a file of their choice.
 * Stateless; safe from any thread.
 */
final class PrivateFiles {
    private static final Set<Set<PosixFilePermission>> SECRET_MODES = Set.of(
            Set.of(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE),
            Set.of(PosixFilePermission.OWNER_READ));

    private PrivateFiles() {
    }

    /** The real user id of this process, which must own every secret file and the state directory. */
    static long processUid() {
        return new UnixSystem().getUid();
    }

    /**
     * Fails unless {@code file} is a regular file (not a link) owned by this process's user with mode 0600 or
     * 0400.
     *
     * @param what        how messages name the file, e.g. {@code ipsec PSK file}
     * @param missingHint what to do when it does not exist, after "does not exist: "
     * @param ownerHint   what to do when another user owns it, after the owner is named
     */
    static void requireSecretFile(Path file, String what, String missingHint, String ownerHint) {
        PosixFileAttributes attrs = attributes(file, what, missingHint);
        if (attrs.isSymbolicLink()) {
            throw new WeftException(what + " " + file + " is a symbolic link, which weft does not follow for a secret:"
                    + " put the file itself there");
        }
        if (!attrs.isRegularFile()) {
            throw new WeftException(what + " " + file + " is not a regular file: give the path of the file itself");
        }
        long owner = ownerUid(file, what);
        long uid = processUid();
        if (owner != uid) {
            throw new WeftException(what + " " + file + " (mode " + octal(attrs.permissions()) + ") is owned by uid "
                    + owner + ", not by uid " + uid + " that weft runs as: " + ownerHint);
        }
        if (!SECRET_MODES.contains(attrs.permissions())) {
            throw new WeftException(what + " " + file + " has mode " + octal(attrs.permissions()) + " (owner uid "
                    + owner + "): it must be 0600 or 0400, readable by its owner only; fix it with 'chmod 600 " + file
                    + "'");
        }
    }

    /**
     * Fails unless {@code dir} is a directory owned by this process's user that neither group nor others may
     * write. A link to such a directory is followed: the directory it names is the one checked and used.
     */
    static void requirePrivateDirectory(Path dir, String what, String flag) {
        PosixFileAttributes attrs;
        try {
            attrs = Files.readAttributes(dir, PosixFileAttributes.class);
        } catch (NoSuchFileException e) {
            throw new WeftException(what + " " + dir + " does not exist: create it (mode 0700) or choose another with "
                    + flag, e);
        } catch (IOException | UnsupportedOperationException e) {
            throw new WeftException("cannot read the mode of the " + what + " " + dir + ": " + e.getMessage(), e);
        }
        if (!attrs.isDirectory()) {
            throw new WeftException(what + " " + dir + " is not a directory: choose a directory with " + flag);
        }
        long owner;
        try {
            owner = ((Number) Files.getAttribute(dir, "unix:uid")).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw new WeftException("cannot read the owner of the " + what + " " + dir + ": " + e.getMessage(), e);
        }
        long uid = processUid();
        if (owner != uid) {
            throw new WeftException(what + " " + dir + " (mode " + octal(attrs.permissions()) + ") is owned by uid "
                    + owner + ", not by uid " + uid + " that weft runs as, so its owner could plant a key file there:"
                    + " choose a directory of this user with " + flag + ", or 'chown " + uid + " " + dir + "'");
        }
        Set<PosixFilePermission> mode = attrs.permissions();
        if (mode.contains(PosixFilePermission.GROUP_WRITE) || mode.contains(PosixFilePermission.OTHERS_WRITE)) {
            throw new WeftException(what + " " + dir + " has mode " + octal(mode) + " (owner uid " + owner
                    + "): group or others can write it and could plant a key file there; fix it with 'chmod 700 "
                    + dir + "'");
        }
    }

    /** The file's bytes, opened without following a symbolic link (O_NOFOLLOW). */
    static byte[] readNoFollow(Path file, String what) {
        try (InputStream in = Channels.newInputStream(Files.newByteChannel(file,
                Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
            return in.readAllBytes();
        } catch (AccessDeniedException e) {
            throw new WeftException("cannot read the " + what + " " + file + ": permission denied; run weft as the"
                    + " user that owns it (usually root)", e);
        } catch (IOException e) {
            throw new WeftException("cannot read the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    /** The permission bits as four octal digits, e.g. {@code 0644}. */
    static String octal(Set<PosixFilePermission> mode) {
        int bits = 0;
        for (PosixFilePermission p : mode) {
            bits |= 0400 >> p.ordinal();
        }
        return String.format("%04o", bits);
    }

    private static PosixFileAttributes attributes(Path file, String what, String missingHint) {
        try {
            return Files.readAttributes(file, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new WeftException(what + " " + file + " does not exist: " + missingHint, e);
        } catch (AccessDeniedException e) {
            throw new WeftException("cannot read the " + what + " " + file + ": permission denied; run weft as the"
                    + " user that owns it (usually root)", e);
        } catch (IOException | UnsupportedOperationException e) {
            throw new WeftException("cannot read the mode of the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static long ownerUid(Path file, String what) {
        try {
            return ((Number) Files.getAttribute(file, "unix:uid", LinkOption.NOFOLLOW_LINKS)).longValue();
        } catch (IOException | UnsupportedOperationException e) {
            throw new WeftException("cannot read the owner of the " + what + " " + file + ": " + e.getMessage(), e);
        }
    }
}
