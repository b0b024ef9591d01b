package io.weft.core.daemon;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4Subnet;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SubnetEnvFileTest {
    @TempDir
    Path dir;

    @Test
    void writesFlannelsFormatAtomicallyWithMode0644() throws IOException {
        Path path = dir.resolve("run/flannel/subnet.env");
        SubnetEnvFile file = new SubnetEnvFile(path);
        file.write(new SubnetEnv(Ipv4Subnet.parse("10.5.0.0/16"), Ipv4Subnet.parse("10.5.34.0/24"), 1472, false));
        assertEquals("FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=10.5.34.1/24\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=false\n",
                Files.readString(path));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(path)));
        try (var files = Files.list(path.getParent())) {
            assertEquals(1, files.count(), "no temp file is left behind");
        }
        assertEquals(Optional.of(Ipv4Subnet.parse("10.5.34.0/24")), file.previousSubnet());

        file.write(new SubnetEnv(Ipv4Subnet.parse("10.5.0.0/16"), Ipv4Subnet.parse("10.5.35.0/24"), 1400, true));
        assertTrue(Files.readString(path).contains("FLANNEL_SUBNET=10.5.35.1/24\nFLANNEL_MTU=1400\nFLANNEL_IPMASQ=true\n"));
    }

    @Test
    void previousSubnetIsEmptyWhenTheFileIsMissingOrOdd() throws IOException {
        Path path = dir.resolve("subnet.env");
        assertEquals(Optional.empty(), new SubnetEnvFile(path).previousSubnet());
        Files.writeString(path, "FLANNEL_SUBNET=garbage\n");
        assertEquals(Optional.empty(), new SubnetEnvFile(path).previousSubnet());
    }

    @Test
    void unwritablePathNamesTheFlag() throws IOException {
        Path blocker = dir.resolve("file");
        Files.writeString(blocker, "x");
        SubnetEnvFile file = new SubnetEnvFile(blocker.resolve("subnet.env"));
        WeftException e = assertThrows(WeftException.class, () -> file.write(
                new SubnetEnv(Ipv4Subnet.parse("10.5.0.0/16"), Ipv4Subnet.parse("10.5.34.0/24"), 1472, false)));
        assertTrue(e.getMessage().startsWith("cannot write subnet file " + blocker.resolve("subnet.env")), e.getMessage());
        assertTrue(e.getMessage().endsWith("; pass a writable path with --subnet-file"), e.getMessage());
    }

    @Test
    void readReturnsWhatWriteWrote() {
        SubnetEnvFile file = new SubnetEnvFile(dir.resolve("subnet.env"));
        assertEquals(Optional.empty(), file.read());
        SubnetEnv env = new SubnetEnv(Ipv4Subnet.parse("10.5.0.0/16"), Ipv4Subnet.parse("10.5.34.0/24"), 1472, true);
        file.write(env);
        assertEquals(Optional.of(env), file.read());
    }

    @Test
    void readNamesTheMissingOrMalformedVariable() throws IOException {
        Path path = dir.resolve("subnet.env");
        SubnetEnvFile file = new SubnetEnvFile(path);
        Files.writeString(path, "FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=10.5.34.1/24\nFLANNEL_IPMASQ=false\n");
        assertEquals("subnet file " + path + " has no FLANNEL_MTU: restart the weft daemon to rewrite it",
                assertThrows(WeftException.class, file::read).getMessage());
        Files.writeString(path, "FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=10.5.34.1\nFLANNEL_MTU=1472\nFLANNEL_IPMASQ=false\n");
        assertEquals("subnet file " + path + ": FLANNEL_SUBNET \"10.5.34.1\" is not an IPv4 CIDR such as 10.5.34.1/24:"
                + " restart the weft daemon to rewrite it", assertThrows(WeftException.class, file::read).getMessage());
        Files.writeString(path, "FLANNEL_NETWORK=10.5.0.0/16\nFLANNEL_SUBNET=10.5.34.1/24\nFLANNEL_MTU=big\nFLANNEL_IPMASQ=false\n");
        assertEquals("subnet file " + path + ": FLANNEL_MTU \"big\" is not a number: restart the weft daemon to rewrite it",
                assertThrows(WeftException.class, file::read).getMessage());
    }
}
