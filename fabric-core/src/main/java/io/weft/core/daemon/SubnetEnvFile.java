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
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(SubnetEnvFile.class);
    /** flannel's default, as text for flag annotations. */
    public static final String DEFAULT_PATH_TEXT = "/run/flannel/subnet.env";
    public static final Path DEFAULT_PATH = Path.of(DEFAULT_PATH_TEXT);

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
        try {
            return variables().map(vars -> vars.get("FLANNEL_SUBNET")).map(v -> cidr("FLANNEL_SUBNET", v));
        } catch (WeftException e) {
            LOG.warn("previous subnet.env ignored error=\"{}\"", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Reads the whole file, as a CNI plugin or docker-opts does.
     *
     * @return empty when the file does not exist
     * @throws WeftException naming the variable when one is missing or malformed
     */
    public Optional<SubnetEnv> read() {
        Optional<Map<String, String>> read = variables();
        if (read.isEmpty()) {
            return Optional.empty();
        }
        Map<String, String> vars = read.get();
        for (String name : new String[] {"FLANNEL_NETWORK", "FLANNEL_SUBNET", "FLANNEL_MTU", "FLANNEL_IPMASQ"}) {
            if (!vars.containsKey(name)) {
                throw new WeftException("subnet file " + path + " has no " + name + ": restart the weft daemon to rewrite it");
            }
        }
        Ipv4Subnet network = cidr("FLANNEL_NETWORK", vars.get("FLANNEL_NETWORK"));
        Ipv4Subnet subnet = cidr("FLANNEL_SUBNET", vars.get("FLANNEL_SUBNET"));
        int mtu;
        try {
            mtu = Integer.parseInt(vars.get("FLANNEL_MTU"));
        } catch (NumberFormatException e) {
            throw new WeftException("subnet file " + path + ": FLANNEL_MTU \"" + vars.get("FLANNEL_MTU")
                    + "\" is not a number: restart the weft daemon to rewrite it");
        }
        return Optional.of(new SubnetEnv(network, subnet, mtu, "true".equals(vars.get("FLANNEL_IPMASQ"))));
    }

    /** The file's VAR=value lines; empty when the file does not exist. */
    private Optional<Map<String, String>> variables() {
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
        return Optional.of(vars);
    }

    /** Reads {@code 10.5.34.1/24} as the subnet 10.5.34.0/24 that holds it. */
    private Ipv4Subnet cidr(String name, String value) {
        int slash = value.indexOf('/');
        try {
            if (slash < 0) {
                throw new NumberFormatException();
            }
            int len = Integer.parseInt(value.substring(slash + 1));
            if (len < 0 || len > 32) {
                throw new NumberFormatException();
            }
            return Ipv4Subnet.containing(Ipv4.parse(name, value.substring(0, slash)), len);
        } catch (NumberFormatException | WeftException e) {
            throw new WeftException("subnet file " + path + ": " + name + " \"" + value
                    + "\" is not an IPv4 CIDR such as 10.5.34.1/24: restart the weft daemon to rewrite it");
        }
    }
}
