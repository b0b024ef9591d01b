package io.weft.cli.doctor;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;

/**
 * A peer doctor checks: its subnet and PublicIP, from the lease table. Immutable.
 *
 * @param subnet   the peer's subnet; its first address is the peer's device address
 * @param publicIp the peer's underlay address
 */
public record Peer(Ipv4Subnet subnet, String publicIp) {
    /** How the report names the peer: {@code 100.96.2.0/24 (198.18.0.2)}. */
    String subject() {
        return subnet + " (" + publicIp + ")";
    }

    /** The peer's device address, which its overlay answers on. */
    String deviceAddress() {
        return Ipv4.format(subnet.base());
    }
}
