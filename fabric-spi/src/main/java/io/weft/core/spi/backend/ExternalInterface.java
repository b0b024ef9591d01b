package io.weft.core.spi.backend;

import java.util.Objects;

/**
 * The underlay interface: its name, its IPv4 address and its MTU. Immutable.
 */
public record ExternalInterface(String name, String address, int mtu) {
    public ExternalInterface {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(address, "address is null");
    }
}
