package io.weft.backend.ipsec;

import io.weft.backend.udp.UdpDataPath;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The ipsec backend's settings, read from the network config's {@code Backend} section and the host's state
 * directory. Immutable.
 *
 * @param psk      {@code Backend.PSK}: required, at least 32 bytes
 * @param port     {@code Backend.Port}: the UDP port for ESP in UDP (default 4500, as RFC 3948)
 * @param device   {@code Backend.Device}: the TUN device name (default {@code weft0}), checked by
 *                 {@link UdpDataPath#device}
 * @param keyBits  {@code Backend.KeyBits}: AES-GCM key size, 128 or 256 (default 256)
 * @param rekey    {@code Backend.RekeySeconds}: how often each outbound SA is replaced (default and maximum
 *                 3600, minimum 10)
 * @param stateDir where the X25519 key file and the SA list live: the host's state directory (the CLI reads it
 *                 from {@code WEFT_IPSEC_STATE_DIR}), else {@code Backend.StateDir}, else {@code /var/lib/weft}.
 *                 Host-local, so the host's wins over the cluster-wide config.
 */
record IpsecSettings(Psk psk, int port, String device, int keyBits, Duration rekey, Path stateDir) {
    static final int DEFAULT_PORT = 4500;
    static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/weft");
    /** Where the host's state directory comes from; named in messages that tell how to point weft at it. */
    static final String STATE_DIR_ENV = "WEFT_IPSEC_STATE_DIR";
    static final int MIN_REKEY_SECONDS = 10;
    static final int MAX_REKEY_SECONDS = 3600;

    IpsecSettings {
        Objects.requireNonNull(psk, "psk is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(rekey, "rekey is null");
        Objects.requireNonNull(stateDir, "stateDir is null");
        if (keyBits != 128 && keyBits != 256) {
            throw new WeftException("Backend.KeyBits " + keyBits + " is not supported: use 128 or 256");
        }
    }

    /** The key file inside {@link #stateDir}. */
    Path keyFile() {
        return stateDir.resolve(KeyFile.FILE_NAME);
    }

    /** The SA list inside {@link #stateDir}, read by {@code weft ipsec sa}. */
    Path saFile() {
        return stateDir.resolve(SaListFile.FILE_NAME);
    }

    /** @param hostStateDir the host's state directory, when it names one */
    static IpsecSettings from(BackendConfig backend, Optional<Path> hostStateDir) {
        Psk psk = Psk.of(backend.textField("PSK").orElse(null));
        int port = backend.intField("Port", DEFAULT_PORT, 1, 65535);
        String device = UdpDataPath.device(backend);
        int keyBits = backend.intField("KeyBits", 256, 128, 256);
        int rekey = backend.intField("RekeySeconds", MAX_REKEY_SECONDS, MIN_REKEY_SECONDS, MAX_REKEY_SECONDS);
        return new IpsecSettings(psk, port, device, keyBits, Duration.ofSeconds(rekey), stateDir(backend,
                hostStateDir));
    }

    /** The state directory alone, for {@code weft ipsec sa}, which needs no other setting. */
    static Path stateDir(BackendConfig backend, Optional<Path> hostStateDir) {
        return hostStateDir.orElseGet(() -> backend.textField("StateDir").map(Path::of).orElse(DEFAULT_STATE_DIR));
    }
}
