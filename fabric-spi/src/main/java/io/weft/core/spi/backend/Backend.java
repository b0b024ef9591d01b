package io.weft.core.spi.backend;

import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;

/**
 * One host's instance of a data path kind, started in two one-way steps: {@link #prepare} says what the
 * backend needs in the lease, the daemon takes the lease, then {@link #start} brings the data path up for
 * that lease. Nothing calls back into the daemon. Made by {@link BackendProvider#create}; used once, from
 * one thread.
 */
public interface Backend extends AutoCloseable {

    /**
     * Checks the network config's {@code Backend} section and takes what must exist before a lease is taken
     * (a bound socket, a key file), so that a bad setting or a taken port fails before any lease is held.
     *
     * @return what this host publishes in its lease and what the data path costs in MTU
     * @throws io.weft.core.WeftException naming the bad {@code Backend.*} field, if any
     */
    LeaseRequest prepare(NetworkConfig config);

    /**
     * Brings the data path up for the lease the daemon took, with the overlay MTU the daemon computed
     * (the external MTU minus {@link LeaseRequest#mtuOverhead()}). Called at most once, after
     * {@link #prepare}. The returned network owns everything; later lease changes reach it as
     * {@link NetworkEvent}s.
     */
    Network start(Lease lease, int mtu);

    /** Releases what {@link #prepare} took when {@link #start} never ran or failed; does nothing after a start. */
    @Override
    void close();
}
