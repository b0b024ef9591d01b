package io.weft.core.daemon;

import io.weft.core.lease.LeaseKeeper;
import io.weft.core.lease.LeaseWatcher;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.ExternalInterface;
import io.weft.core.spi.backend.Network;

/**
 * The parts of a daemon that has joined the network: its config, overlay MTU, the underlay interface as the
 * backend was sized for it (its MTU is Backend.MTU when set), lease keeper, lease watcher,
 * running network and the feed of lease changes into it. Immutable; the parts are thread-safe as their own docs say.
 */
record RunningHost(NetworkConfig config, int mtu, ExternalInterface underlay, LeaseKeeper keeper, LeaseWatcher watcher, Network network,
        NetworkFeed feed) {
}
