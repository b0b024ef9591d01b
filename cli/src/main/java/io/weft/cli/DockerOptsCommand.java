package io.weft.cli;

import io.weft.core.WeftException;
import io.weft.core.daemon.SubnetEnv;
import io.weft.core.daemon.SubnetEnvFile;
import io.weft.core.model.Ipv4;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code weft docker-opts}: Docker daemon options from subnet.env, in the forms of flannel's
 * {@code mk-docker-opts.sh}: {@code DOCKER_OPT_BIP="--bip=..."} lines and a combined
 * {@code DOCKER_OPTS="..."} line that extends the variable's current value from the environment.
 *
 * <p>The file is read by a shell ({@code source}) or by systemd's {@code EnvironmentFile=}, which both take a
 * double-quoted value with {@code \"}, {@code \\}, {@code \$} and {@code \`} escaped. The caller's current
 * value is written that way, so whatever it holds stays one value and runs nothing; a line break in it
 * becomes a space, since the value is a list of words for Docker's command line, and each assignment stays
 * on one line for tools that read the file line by line.
 */
@Command(name = "docker-opts", mixinStandardHelpOptions = true, description = {
    "Print Docker daemon options (--bip, --mtu, --ip-masq) from subnet.env,",
    "as flannel's mk-docker-opts.sh does."})
final class DockerOptsCommand extends ContextCommand {
    @Option(names = "-f", paramLabel = "FILE", defaultValue = SubnetEnvFile.DEFAULT_PATH_TEXT,
            description = "The subnet.env to read. Default: ${DEFAULT-VALUE}.")
    Path subnetFile;

    @Option(names = "-d", paramLabel = "FILE", description = "Write the lines to FILE instead of printing them.")
    Path dockerEnvFile;

    @Option(names = "-i", description = "Output each option as its own variable, e.g. DOCKER_OPT_MTU.")
    boolean individual;

    @Option(names = "-c", description = "Output the options combined in one variable (see -k).")
    boolean combined;

    @Option(names = "-m", description = "Leave out --ip-masq (for older Docker versions).")
    boolean noIpMasq;

    @Option(names = "-k", paramLabel = "KEY", defaultValue = "DOCKER_OPTS",
            description = "The combined variable's name. Default: ${DEFAULT-VALUE}.")
    String combinedKey;

    @Override
    public Integer call() {
        if (!combinedKey.matches("[A-Za-z_][A-Za-z0-9_]*")) {
            throw new WeftException("-k \"" + combinedKey + "\" is not a shell variable name: use letters, digits and _");
        }
        SubnetEnv env = new SubnetEnvFile(subnetFile).read().orElseThrow(() -> new WeftException(
                "subnet file " + subnetFile + " does not exist: is the weft daemon running? (or pass -f FILE)"));
        String text = render(env);
        if (dockerEnvFile == null) {
            out().print(text);
        } else {
            write(text);
        }
        return 0;
    }

    String render(SubnetEnv env) {
        boolean both = !individual && !combined;
        // Sorted by variable name, as mk-docker-opts.sh lists them.
        List<String[]> opts = new ArrayList<>();
        opts.add(new String[] {"DOCKER_OPT_BIP",
            "--bip=" + Ipv4.format(env.subnet().base() + 1) + "/" + env.subnet().prefixLength()});
        if (env.ipMasq() && !noIpMasq) {
            opts.add(new String[] {"DOCKER_OPT_IPMASQ", "--ip-masq=false"});
        }
        opts.add(new String[] {"DOCKER_OPT_MTU", "--mtu=" + env.mtu()});
        StringBuilder out = new StringBuilder();
        StringBuilder all = new StringBuilder(doubleQuoted(context().environment().getOrDefault(combinedKey, "")))
                .append(' ');
        for (String[] o : opts) {
            if (individual || both) {
                out.append(o[0]).append("=\"").append(o[1]).append("\"\n");
            }
            all.append(o[1]).append(' ');
        }
        if (combined || both) {
            out.append(combinedKey).append("=\"").append(all).append("\"\n");
        }
        return out.toString();
    }

    /** {@code value} escaped for the inside of a double-quoted shell or systemd EnvironmentFile value. */
    static String doubleQuoted(String value) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            switch (c) {
                case '\\', '"', '$', '`' -> out.append('\\').append(c);
                case '\n', '\r' -> out.append(' ');
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    private void write(String text) {
        try {
            Path parent = dockerEnvFile.toAbsolutePath().getParent();
            Files.createDirectories(parent);
            Path tmp = Files.createTempFile(parent, "." + dockerEnvFile.getFileName(), ".tmp");
            Files.writeString(tmp, text, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(tmp, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
            Files.move(tmp, dockerEnvFile, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            throw new WeftException("cannot write " + dockerEnvFile + ": " + e + "; pass a writable path with -d");
        }
    }
}
