package io.weft.core.spi.backend;

import io.weft.core.WeftException;
import io.weft.core.model.NetworkConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Creates a {@link Backend} by its {@code Backend.Type} name; found with {@link java.util.ServiceLoader}. */
public interface BackendProvider {

    /** The {@code Backend.Type} it serves, e.g. {@code udp}. */
    String name();

    /** Whether its networks move packets; weft installs iptables rules and drop summaries only for those. */
    default boolean forwardsPackets() {
        return true;
    }

    Backend create(BackendContext context);

    /**
     * A report on this backend's state on this host, for an admin command such as {@code weft ipsec sa}: the
     * CLI reaches a backend only through its provider, never its classes.
     *
     * @param report   the report's name, e.g. {@code sa}
     * @param format   how to print it, e.g. {@code table}, or {@code wireshark} (which includes keys)
     * @param config   the stored network config
     * @param stateDir the host's state directory when the caller names one (else the backend's default)
     * @return the lines to print
     * @throws WeftException when this backend has no such report or format, or its state cannot be read
     */
    default List<String> report(String report, String format, NetworkConfig config, Optional<Path> stateDir) {
        throw new WeftException("the " + name() + " backend has no \"" + report + "\" report");
    }

    /**
     * As {@link #report(String, String, NetworkConfig, Optional)}, with the host's PSK file when the caller names
     * one (as the daemon's {@link BackendContext#pskFile}), for a report that needs the key. A provider that
     * needs no key keeps only the shorter method, which this one calls.
     *
     * @param pskFile the host file holding the pre-shared key; it wins over {@code Backend.PSK}
     */
    default List<String> report(String report, String format, NetworkConfig config, Optional<Path> stateDir,
            Optional<Path> pskFile) {
        return report(report, format, config, stateDir);
    }
}
