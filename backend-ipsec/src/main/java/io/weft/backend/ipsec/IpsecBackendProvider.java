package io.weft.backend.ipsec;

import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import java.util.Objects;

/** The {@code ipsec} backend (experimental): ESP in UDP on the udp data path. Found by ServiceLoader. */
public final class IpsecBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return EspTransform.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        return new IpsecBackend(Objects.requireNonNull(context, "context is null"), System.getenv());
    }
}
