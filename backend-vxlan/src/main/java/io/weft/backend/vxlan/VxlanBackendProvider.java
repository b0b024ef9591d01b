package io.weft.backend.vxlan;

import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import java.util.Objects;

/**
 * The {@code vxlan} backend, as flanneld's: the kernel encapsulates in a VXLAN device {@code flannel.<VNI>}, and
 * weft keeps each peer's ARP, FDB and route entries, so a weft host and a flanneld host with this backend in one
 * etcd form one network. Network config fields: {@code VNI}, {@code Port}, {@code GBP}, {@code Learning},
 * {@code DirectRouting}, {@code MTU} (see {@link VxlanConfig}). Stateless.
 */
public final class VxlanBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return VxlanBackend.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        return new VxlanBackend(Objects.requireNonNull(context, "context is null"));
    }
}
