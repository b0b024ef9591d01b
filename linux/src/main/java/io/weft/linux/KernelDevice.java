package io.weft.linux;

import io.weft.core.model.Lease;

/**
 * The device a kernel backend's routes use, as {@link RouteNetwork} sees it: vxlan's {@code flannel.<VNI>}, or
 * none for host-gw (whose routes use the external interface). Implementations are called under the network's
 * lock, one call at a time.
 */
public interface KernelDevice {
    /** A backend without a device of its own (host-gw): always up, index 0, nothing to keep. */
    KernelDevice NONE = new KernelDevice() {
        @Override
        public int index() {
            return 0;
        }

        @Override
        public boolean ensure() {
            return false;
        }

        @Override
        public void leaseChanged(Lease own) {
        }

        @Override
        public boolean isUp() {
            return true;
        }

        @Override
        public void remove() {
        }
    };

    /** The device's interface index, or 0 for none. */
    int index();

    /**
     * Checks the device at each resync and puts back what someone else changed (recreates it when deleted).
     *
     * @return true when the device was recreated, so its index (and every entry on it) is new
     */
    boolean ensure();

    /** This host's lease changed (perhaps its subnet): re-address the device. */
    void leaseChanged(Lease own);

    /** Whether the device exists and is up, as last seen. */
    boolean isUp();

    /** Deletes the device (for a host leaving for good). */
    void remove();
}
