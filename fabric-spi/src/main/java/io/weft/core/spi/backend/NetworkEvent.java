package io.weft.core.spi.backend;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import java.util.Objects;

/**
 * A change a running {@link Network} must apply: a peer came, changed or went, or this host's own lease
 * changed. A renewal that changes nothing but the expiry is not an event. Immutable.
 */
public sealed interface NetworkEvent {

    /** A peer's lease appeared, or its attributes (PublicIP, BackendType, BackendData) changed. */
    record PeerAdded(Lease lease) implements NetworkEvent {
        public PeerAdded {
            Objects.requireNonNull(lease, "lease is null");
        }

        public Ipv4Subnet subnet() {
            return lease.subnet();
        }
    }

    /** A peer's lease was deleted, expired, or stopped being a peer. */
    record PeerRemoved(Ipv4Subnet subnet) implements NetworkEvent {
        public PeerRemoved {
            Objects.requireNonNull(subnet, "subnet is null");
        }
    }

    /** This host's own lease was re-acquired, perhaps with another subnet. */
    record LeaseChanged(Lease lease) implements NetworkEvent {
        public LeaseChanged {
            Objects.requireNonNull(lease, "lease is null");
        }
    }
}
