package io.weft.cli;

import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The ipsec backend's host-local settings, shared by {@code weft daemon} and {@code weft ipsec sa}: where this
 * host keeps its key, and the file that holds the pre-shared key. They come only from this host's flags or
 * environment ({@code WEFT_IPSEC_STATE_DIR}, {@code WEFT_IPSEC_PSK_FILE}), never from the network config,
 * which every etcd writer can change and every etcd reader can read. A blank value counts as unset.
 */
final class IpsecHostOptions {
    @Option(names = "--ipsec-state-dir", paramLabel = "DIR",
            description = "ipsec backend: where this host keeps its key and SA list; it must belong to weft's user and"
                    + " not be writable by group or others (Backend.StateDir in the network config is ignored)."
                    + " Default: /var/lib/weft.")
    Path stateDir;

    @Option(names = "--ipsec-psk-file", paramLabel = "FILE",
            description = "ipsec backend: a file holding the pre-shared key (weft's user's, mode 0600 or 0400; a"
                    + " trailing newline is ignored). It wins over Backend.PSK in the network config, which every"
                    + " etcd reader can read.")
    Path pskFile;

    Optional<Path> stateDir() {
        return nonBlank(stateDir);
    }

    Optional<Path> pskFile() {
        return nonBlank(pskFile);
    }

    private static Optional<Path> nonBlank(Path path) {
        return Optional.ofNullable(path).filter(p -> !p.toString().isBlank());
    }
}
