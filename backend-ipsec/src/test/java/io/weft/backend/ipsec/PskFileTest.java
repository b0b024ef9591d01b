package io.weft.backend.ipsec;

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

/** {@code --ipsec-psk-file}: which files are taken, what their text becomes, and every refusal's message. */
class PskFileTest {
    private static final String PSK = "file-psk-0123456789abcdef0123456789abcdef";

    @TempDir
    Path dir;

    static Path write(Path file, String text, String mode) throws Exception {
        Files.writeString(file, text);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString(mode));
        return file;
    }

    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "r--------"})
    void modes0600And0400AreTaken(String mode) throws Exception {
        assertEquals(Psk.of(PSK), PskFile.read(write(dir.resolve("psk"), PSK, mode)));
    }

    @ParameterizedTest
    @CsvSource({"rw-r--r--, 0644", "rw-r-----, 0640", "rw-rw----, 0660", "rw----r--, 0604", "rwx------, 0700",
        "-w-------, 0200"})
    void otherModesAreRefusedWithTheFix(String mode, String octal) throws Exception {
        Path file = write(dir.resolve("psk"), PSK, mode);
        WeftException e = assertThrows(WeftException.class, () -> PskFile.read(file));
        assertEquals("ipsec PSK file " + file + " has mode " + octal + " (owner uid " + PrivateFiles.processUid()
                + "): it must be 0600 or 0400, readable by its owner only; fix it with 'chmod 600 " + file + "'",
                e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"\n", "\r\n", "\n\n"})
    void trailingLineEndsAreNotPartOfTheKey(String end) throws Exception {
        assertEquals(Psk.of(PSK), PskFile.read(write(dir.resolve("psk"), PSK + end, "rw-------")));
    }

    @Test
    void theContentFollowsTheRulesOfBackendPsk() throws Exception {
        Path shortFile = write(dir.resolve("short"), "0123456789abcdef0123456789abcde\n", "rw-------");
        assertEquals("ipsec PSK file " + shortFile + " is 31 bytes, too short: it must be at least 32 bytes; generate"
                + " one with 'openssl rand -base64 32'", assertThrows(WeftException.class,
                        () -> PskFile.read(shortFile)).getMessage());
        Path empty = write(dir.resolve("empty"), "\n", "rw-------");
        assertEquals("ipsec PSK file " + empty + " is empty: put a pre-shared key of at least 32 bytes in it, e.g. with"
                + " 'openssl rand -base64 32 > " + empty + "'", assertThrows(WeftException.class,
                        () -> PskFile.read(empty)).getMessage());
        Path binary = dir.resolve("binary");
        Files.write(binary, new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
            15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31});
        Files.setPosixFilePermissions(binary, PosixFilePermissions.fromString("rw-------"));
        assertEquals("ipsec PSK file " + binary + " is not UTF-8 text: write the PSK as text, e.g. with 'openssl rand"
                + " -base64 32 > " + binary + "'", assertThrows(WeftException.class,
                        () -> PskFile.read(binary)).getMessage());
        String unicode = "ключ-0123456789abcdef0123456789";
        assertEquals(Psk.of(unicode), PskFile.read(write(dir.resolve("unicode"), unicode, "rw-------")),
                "UTF-8 text gives the same bytes as the same text in Backend.PSK");
    }

    @Test
    void aMissingFileOrADirectoryIsNamed() {
        Path missing = dir.resolve("none");
        assertEquals("ipsec PSK file " + missing + " does not exist: create it as the user weft runs as with 'openssl"
                + " rand -base64 32 > " + missing + "' and 'chmod 600 " + missing + "'",
                assertThrows(WeftException.class, () -> PskFile.read(missing)).getMessage());
        assertEquals("ipsec PSK file " + dir + " is not a regular file: give the path of the file itself",
                assertThrows(WeftException.class, () -> PskFile.read(dir)).getMessage());
    }

    @Test
    void aSymbolicLinkIsRefusedEvenToAGoodFile() throws Exception {
        Path target = write(dir.resolve("target"), PSK, "rw-------");
        Path link = Files.createSymbolicLink(dir.resolve("link"), target);
        assertEquals("ipsec PSK file " + link + " is a symbolic link, which weft does not follow for a secret: put the"
                + " file itself there", assertThrows(WeftException.class, () -> PskFile.read(link)).getMessage());
    }

    @Test
    void anotherUsersFileIsRefused() throws Exception {
        assumeTrue(PrivateFiles.processUid() == 0, "only root can give a file to another user");
        Path file = write(dir.resolve("psk"), PSK, "rw-------");
        Files.setAttribute(file, "unix:uid", 12345);
        WeftException e = assertThrows(WeftException.class, () -> PskFile.read(file));
        assertEquals("ipsec PSK file " + file + " (mode 0600) is owned by uid 12345, not by uid 0 that weft runs as:"
                + " fix it with 'chown 0 " + file + "' and 'chmod 600 " + file + "'", e.getMessage());
    }

    @Test
    void octalModes() {
        assertEquals("0644", PrivateFiles.octal(PosixFilePermissions.fromString("rw-r--r--")));
        assertEquals("0751", PrivateFiles.octal(PosixFilePermissions.fromString("rwxr-x--x")));
        assertEquals("0000", PrivateFiles.octal(PosixFilePermissions.fromString("---------")));
        assertTrue(Psk.of(PSK).toString().contains("redacted"));
    }
}
