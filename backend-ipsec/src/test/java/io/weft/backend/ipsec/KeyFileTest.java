package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.weft.core.WeftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class KeyFileTest {
    @TempDir
    Path dir;

    @Test
    void createsA0600FileInA0700DirectoryAndKeepsTheKey() throws Exception {
        Path file = dir.resolve("state/ipsec-x25519.key");
        X25519Keys first = KeyFile.loadOrCreate(file, TestKeys.seeded(1));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
        assertEquals("rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file.getParent())));
        X25519Keys again = KeyFile.loadOrCreate(file, TestKeys.seeded(99));
        assertArrayEquals(first.publicKey(), again.publicKey());
        try (var files = Files.list(file.getParent())) {
            assertEquals(1, files.count(), "no temp file left behind");
        }
    }

    @Test
    void refusesAKeyFileOthersCanRead() throws Exception {
        Path file = dir.resolve("ipsec-x25519.key");
        KeyFile.loadOrCreate(file, TestKeys.seeded(1));
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
        WeftException e = assertThrows(WeftException.class, () -> KeyFile.load(file));
        assertEquals("ipsec key file " + file + " has mode 0644 (owner uid " + PrivateFiles.processUid() + "): it must"
                + " be 0600 or 0400, readable by its owner only; fix it with 'chmod 600 " + file + "'", e.getMessage());
        assertThrows(WeftException.class, () -> KeyFile.loadOrCreate(file, TestKeys.seeded(2)));
    }

    @Test
    void aSymlinkedKeyFileIsRefusedNotFollowed() throws Exception {
        Path elsewhere = Files.createDirectories(dir.resolve("elsewhere"));
        X25519Keys planted = KeyFile.loadOrCreate(elsewhere.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        Path state = Files.createDirectories(dir.resolve("state"));
        Path link = Files.createSymbolicLink(state.resolve(KeyFile.FILE_NAME), elsewhere.resolve(KeyFile.FILE_NAME));
        String message = "ipsec key file " + link + " is a symbolic link, which weft does not follow for a secret: put"
                + " the file itself there";
        assertEquals(message, assertThrows(WeftException.class, () -> KeyFile.load(link)).getMessage());
        assertEquals(message, assertThrows(WeftException.class, () -> KeyFile.loadOrCreate(link, TestKeys.seeded(2)))
                .getMessage(), "the daemon neither uses the planted key nor replaces the link");
        assertTrue(Files.isSymbolicLink(link));
        assertArrayEquals(planted.publicKey(), KeyFile.load(elsewhere.resolve(KeyFile.FILE_NAME)).publicKey());

        Path dangling = Files.createSymbolicLink(Files.createDirectories(dir.resolve("dangling"))
                .resolve(KeyFile.FILE_NAME), dir.resolve("nowhere"));
        assertEquals("ipsec key file " + dangling + " is a symbolic link, which weft does not follow for a secret: put"
                + " the file itself there", assertThrows(WeftException.class, () -> KeyFile.loadOrCreate(dangling,
                        TestKeys.seeded(3))).getMessage());
        assertTrue(!Files.exists(dir.resolve("nowhere")), "nothing is written through a dangling link");
    }

    @Test
    void anotherUsersKeyFileIsRefused() throws Exception {
        assumeTrue(PrivateFiles.processUid() == 0, "only root can give a file to another user");
        Path file = dir.resolve("ipsec-x25519.key");
        KeyFile.loadOrCreate(file, TestKeys.seeded(1));
        Files.setAttribute(file, "unix:uid", 12345);
        WeftException e = assertThrows(WeftException.class, () -> KeyFile.loadOrCreate(file, TestKeys.seeded(2)));
        assertEquals("ipsec key file " + file + " (mode 0600) is owned by uid 12345, not by uid 0 that weft runs as:"
                + " delete it to have the daemon make a new key (peers pick the new public key up from the lease), or"
                + " run weft as its owner", e.getMessage());
    }

    @ParameterizedTest
    @CsvSource({"rwxrwx---, 0770", "rwxrwxrwx, 0777", "rwx-w----, 0720", "rwx----w-, 0702"})
    void aStateDirectoryOthersCanWriteIsRefused(String mode, String octal) throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString(mode));
        WeftException e = assertThrows(WeftException.class, () -> KeyFile.loadOrCreate(
                state.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1)));
        assertEquals("ipsec state directory " + state + " has mode " + octal + " (owner uid " + PrivateFiles.processUid()
                + "): group or others can write it and could plant a key file there; fix it with 'chmod 700 " + state
                + "'", e.getMessage());
        assertTrue(!Files.exists(state.resolve(KeyFile.FILE_NAME)), "no key is made there");
    }

    @ParameterizedTest
    @ValueSource(strings = {"rwx------", "rwxr-xr-x", "rwxr-x---"})
    void aStateDirectoryOnlyItsOwnerCanWriteIsTaken(String mode) throws Exception {
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString(mode));
        KeyFile.loadOrCreate(state.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1));
        assertTrue(Files.exists(state.resolve(KeyFile.FILE_NAME)));
    }

    @Test
    void anotherUsersStateDirectoryIsRefused() throws Exception {
        assumeTrue(PrivateFiles.processUid() == 0, "only root can give a directory to another user");
        Path state = Files.createDirectories(dir.resolve("state"));
        Files.setPosixFilePermissions(state, PosixFilePermissions.fromString("rwx------"));
        Files.setAttribute(state, "unix:uid", 12345);
        WeftException e = assertThrows(WeftException.class, () -> KeyFile.loadOrCreate(
                state.resolve(KeyFile.FILE_NAME), TestKeys.seeded(1)));
        assertEquals("ipsec state directory " + state + " (mode 0700) is owned by uid 12345, not by uid 0 that weft"
                + " runs as, so its owner could plant a key file there: choose a directory of this user with"
                + " --ipsec-state-dir DIR (or WEFT_IPSEC_STATE_DIR), or 'chown 0 " + state + "'", e.getMessage());
    }

    @Test
    void aStateDirectoryThatIsAFileIsNamed() throws Exception {
        Path file = Files.writeString(dir.resolve("state"), "x");
        WeftException e = assertThrows(WeftException.class, () -> KeyFile.requirePrivateDirectory(file));
        assertEquals("ipsec state directory " + file + " is not a directory: choose a directory with --ipsec-state-dir"
                + " DIR (or WEFT_IPSEC_STATE_DIR)", e.getMessage());
    }

    @Test
    void damagedAndMissingFiles() throws Exception {
        Path file = dir.resolve("ipsec-x25519.key");
        Files.writeString(file, "# header\nnot-base64\n");
        Files.setPosixFilePermissions(file, KeyFile.MODE_0600);
        assertTrue(assertThrows(WeftException.class, () -> KeyFile.load(file)).getMessage()
                .startsWith("ipsec key file " + file + " does not hold a base64 X25519 private key: delete it"));
        Path missing = dir.resolve("nope/ipsec-x25519.key");
        assertEquals("ipsec key file " + missing + " does not exist: run this on a host where the ipsec backend has"
                + " started, or give its directory with --ipsec-state-dir DIR (or WEFT_IPSEC_STATE_DIR)",
                assertThrows(WeftException.class, () -> KeyFile.load(missing)).getMessage());
    }

    @Test
    void aDirectoryIsNotAKeyFile() {
        WeftException e = assertThrows(WeftException.class, () -> KeyFile.load(dir));
        assertEquals("ipsec key file " + dir + " is not a regular file: give the path of the file itself", e.getMessage());
    }
}
