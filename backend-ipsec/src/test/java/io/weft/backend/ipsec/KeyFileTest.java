package io.weft.backend.ipsec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        assertEquals("ipsec key file " + file + " has mode rw-r--r--, readable by others: make it private with"
                + " 'chmod 600 " + file + "'", e.getMessage());
    }

    @Test
    void damagedAndMissingFiles() throws Exception {
        Path file = dir.resolve("ipsec-x25519.key");
        Files.writeString(file, "# header\nnot-base64\n");
        Files.setPosixFilePermissions(file, KeyFile.MODE_0600);
        assertTrue(assertThrows(WeftException.class, () -> KeyFile.load(file)).getMessage()
                .startsWith("ipsec key file " + file + " does not hold a base64 X25519 private key: delete it"));
        Path missing = dir.resolve("nope/ipsec-x25519.key");
        assertTrue(assertThrows(WeftException.class, () -> KeyFile.requireReadable(missing)).getMessage()
                .startsWith("ipsec key file " + missing + " does not exist"));
    }

    @Test
    void aDirectoryIsNotAReadableKeyFile() {
        WeftException e = assertThrows(WeftException.class, () -> KeyFile.requireReadable(dir));
        assertTrue(e.getMessage().startsWith("cannot read the ipsec key file " + dir), e.getMessage());
    }
}
