package io.weft.core.daemon;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import java.util.Objects;

/**
 * The contents of flannel's {@code subnet.env}: what containers on this host use. Immutable.
 *
 * @param network the whole overlay network
 * @param subnet  this host's subnet
 * @param mtu     the MTU for containers
 * @param ipMasq  whether weft masquerades traffic leaving the network
 */
public record SubnetEnv(Ipv4Subnet network, Ipv4Subnet subnet, int mtu, boolean ipMasq) {
    public SubnetEnv {
        Objects.requireNonNull(network, "network is null");
        Objects.requireNonNull(subnet, "subnet is null");
    }

    /** The file text, byte for byte as flannel writes it. */
    public String render() {
        return "FLANNEL_NETWORK=" + network + "\n"
                + "FLANNEL_SUBNET=" + Ipv4.format(subnet.base() + 1) + "/" + subnet.prefixLength() + "\n"
                + "FLANNEL_MTU=" + mtu + "\n"
                + "FLANNEL_IPMASQ=" + ipMasq + "\n";
    }
}
