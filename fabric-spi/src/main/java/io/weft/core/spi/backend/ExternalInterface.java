package io.weft.core.spi.backend;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import java.util.Objects;

/**
 * The underlay interface: its name, its IPv4 address and its MTU. Immutable.
 */
public record ExternalInterface(String name, String address, int mtu) {
    /** The largest MTU {@code Backend.MTU} may ask for: IPv4's largest packet. */
    public static final int MAX_MTU = 65535;

    public ExternalInterface {
        Objects.requireNonNull(name, "name is null");
        Objects.requireNonNull(address, "address is null");
    }

    /**
     * This interface as a backend sizes its packets for it: with {@code Backend.MTU} as its MTU when the config
     * sets one (as flanneld's vxlan {@code MTU}: the underlay MTU, the backend's overhead comes off it), else as it
     * is. Every backend reads the MTU from here, so {@code Backend.MTU} lowers the overlay MTU of each.
     *
     * @throws WeftException when {@code Backend.MTU} is not a whole number from {@link LeaseRequest#MIN_MTU} to
     *                       {@link #MAX_MTU}, or is larger than this interface's MTU, which cannot carry it
     */
    public ExternalInterface sizedFor(BackendConfig backend) {
        if (backend.field("MTU").isEmpty()) {
            return this;
        }
        int wanted = backend.intField("MTU", mtu, LeaseRequest.MIN_MTU, MAX_MTU);
        if (wanted > mtu) {
            throw new WeftException("Backend.MTU " + wanted + " is larger than external interface " + name
                    + "'s MTU " + mtu + ", which cannot carry such packets: give at most " + mtu
                    + ", or leave MTU out to use the interface's");
        }
        return new ExternalInterface(name, address, wanted);
    }
}
