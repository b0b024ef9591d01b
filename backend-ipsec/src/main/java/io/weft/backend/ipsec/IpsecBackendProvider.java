package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.BackendProvider;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The {@code ipsec} backend (experimental): ESP in UDP on the udp data path. Its one report, {@code sa}
 * (formats {@code table} and {@code wireshark}), is {@code weft ipsec sa}; {@code json} is what {@code weft doctor}
 * reads. Found by ServiceLoader; stateless.
 */
public final class IpsecBackendProvider implements BackendProvider {
    @Override
    public String name() {
        return EspTransform.TYPE;
    }

    @Override
    public Backend create(BackendContext context) {
        return new IpsecBackend(Objects.requireNonNull(context, "context is null"));
    }

    /** As the longer {@code report}, with no PSK file: the PSK is {@code Backend.PSK}. */
    @Override
    public List<String> report(String report, String format, NetworkConfig config, Optional<Path> stateDir) {
        return report(report, format, config, stateDir, Optional.empty());
    }

    /**
     * {@code sa} as {@code table} (no keys), {@code wireshark} ({@code esp_sa} lines with keys) or {@code json} (no
     * keys; each inbound SA's age by this host's clock and whether it is within the allowed skew, for doctor).
     */
    @Override
    public List<String> report(String report, String format, NetworkConfig config, Optional<Path> stateDir,
            Optional<Path> pskFile) {
        if (!"sa".equals(report)) {
            throw new WeftException("the ipsec backend has no \"" + report + "\" report: it has sa");
        }
        return switch (format) {
            case "table" -> IpsecSaExport.table(config.backend(), stateDir, pskFile);
            case "wireshark" -> IpsecSaExport.wireshark(config.backend(), stateDir, pskFile);
            case "json" -> IpsecSaExport.json(config.backend(), stateDir, pskFile, Instant.now().getEpochSecond());
            default -> throw new WeftException("the ipsec sa report has no \"" + format
                    + "\" format: use table, wireshark or json");
        };
    }
}
