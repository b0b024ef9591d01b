package io.weft.core.model;

import java.util.Objects;

/**
 * The cluster-wide network config (flannel's {@code <prefix>/config}), already validated and with every
 * default filled in. Build it with {@link io.weft.core.config.NetworkConfigParser}. Immutable.
 *
 * @param network    the whole overlay network, e.g. 10.5.0.0/16
 * @param subnetLen  the prefix length of each host's subnet
 * @param subnetMin  the lowest subnet that may be handed out
 * @param subnetMax  the highest subnet that may be handed out
 * @param backend    the backend section
 */
public record NetworkConfig(Ipv4Subnet network, int subnetLen, Ipv4Subnet subnetMin, Ipv4Subnet subnetMax,
        BackendConfig backend) {

    public NetworkConfig {
        Objects.requireNonNull(network, "network is null");
        Objects.requireNonNull(subnetMin, "subnetMin is null");
        Objects.requireNonNull(subnetMax, "subnetMax is null");
        Objects.requireNonNull(backend, "backend is null");
    }

    /** True when {@code subnet} is one this config may hand out: right length, inside Min..Max. */
    public boolean fits(Ipv4Subnet subnet) {
        return subnet.prefixLength() == subnetLen
                && network.contains(subnet)
                && Integer.compareUnsigned(subnet.base(), subnetMin.base()) >= 0
                && Integer.compareUnsigned(subnet.base(), subnetMax.base()) <= 0;
    }

    /** How many subnets lie in SubnetMin..SubnetMax. */
    public long subnetCount() {
        return ((Integer.toUnsignedLong(subnetMax.base()) - Integer.toUnsignedLong(subnetMin.base()))
                >>> (32 - subnetLen)) + 1;
    }

    /** The {@code index}-th subnet counted from SubnetMin. */
    public Ipv4Subnet subnetAt(long index) {
        return new Ipv4Subnet((int) (Integer.toUnsignedLong(subnetMin.base()) + (index << (32 - subnetLen))),
                subnetLen);
    }

    /** The index of {@code subnet} counted from SubnetMin; only meaningful when {@link #fits} holds. */
    public long indexOf(Ipv4Subnet subnet) {
        return (Integer.toUnsignedLong(subnet.base()) - Integer.toUnsignedLong(subnetMin.base())) >>> (32 - subnetLen);
    }
}
