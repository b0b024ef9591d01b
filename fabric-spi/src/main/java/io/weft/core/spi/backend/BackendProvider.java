package io.weft.core.spi.backend;

/** Creates a {@link Backend} by its {@code Backend.Type} name; found with {@link java.util.ServiceLoader}. */
public interface BackendProvider {

    /** The {@code Backend.Type} it serves, e.g. {@code udp}. */
    String name();

    /** Whether its networks move packets; weft installs iptables rules and drop summaries only for those. */
    default boolean forwardsPackets() {
        return true;
    }

    Backend create(BackendContext context);
}
