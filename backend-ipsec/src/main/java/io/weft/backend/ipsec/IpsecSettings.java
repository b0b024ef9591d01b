package io.weft.backend.ipsec;

import io.weft.backend.udp.UdpDataPath;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The ipsec backend's settings, read from the network config's {@code Backend} section and from the host:
 * the PSK file and the state directory come only from the host's flags or environment, never from the
 * cluster-wide config that every etcd writer can change. Immutable.
 *
 * @param psk       the pre-shared key: the host's PSK file when it names one, else {@code Backend.PSK}; at least
 *                  32 bytes
 * @param pskOrigin where {@link #psk} came from, for the line the backend logs about it
 * @param port      {@code Backend.Port}: the UDP port for ESP in UDP (default 4500, as RFC 3948)
 * @param device    {@code Backend.Device}: the TUN device name (default {@code weft0}), checked by
 *                  {@link UdpDataPath#device}
 * @param keyBits   {@code Backend.KeyBits}: AES-GCM key size, 128 or 256 (default 256)
 * @param rekey     {@code Backend.RekeySeconds}: how often each outbound SA is replaced (default and maximum
 *                  3600, minimum 10)
 * @param queues    {@code Backend.Queues}: forwarding pairs, each with its own SA to every peer; the udp data
 *                  path's default (the number of cores, at most 4) and at most {@link Esp#SA_QUEUES}, as many as
 *                  the SPI's 2 queue bits can name
 * @param stateDir  where the X25519 key file and the SA list live: the host's state directory
 *                  ({@code --ipsec-state-dir} or {@code WEFT_IPSEC_STATE_DIR}), else {@code /var/lib/weft}.
 *                  {@code Backend.StateDir} is ignored: an etcd writer could otherwise point every host at a
 *                  directory where a local user can plant a key file.
 */
record IpsecSettings(Psk psk, PskOrigin pskOrigin, int port, String device, int keyBits, Duration rekey,
        int queues, Path stateDir) {
    static final int DEFAULT_PORT = 4500;
    static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/weft");
    /** Where the host's state directory comes from; named in messages that tell how to point weft at it. */
    static final String STATE_DIR_FLAG = "--ipsec-state-dir";
    static final String STATE_DIR_ENV = "WEFT_IPSEC_STATE_DIR";
    static final int MIN_REKEY_SECONDS = 10;
    static final int MAX_REKEY_SECONDS = 3600;

    /** Where the PSK came from. */
    enum PskOrigin {
        /** The host's PSK file; the config has no {@code Backend.PSK}. */
        FILE,
        /** The host's PSK file, which wins over the config's {@code Backend.PSK}. */
        FILE_OVER_CONFIG,
        /** {@code Backend.PSK} in the network config, which every etcd reader can read. */
        CONFIG
    }

    IpsecSettings {
        Objects.requireNonNull(psk, "psk is null");
        Objects.requireNonNull(pskOrigin, "pskOrigin is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(rekey, "rekey is null");
        Objects.requireNonNull(stateDir, "stateDir is null");
        if (keyBits != 128 && keyBits != 256) {
            throw new WeftException("Backend.KeyBits " + keyBits + " is not supported: use 128 or 256");
        }
        if (queues < 1 || queues > Esp.SA_QUEUES) {
            throw new WeftException("Backend.Queues " + queues + " is out of range for ipsec: it must be from 1 to "
                    + Esp.SA_QUEUES);
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

    /**
     * @param hostStateDir the host's state directory, when it names one
     * @param pskFile      the host's PSK file, when it names one
     */
    static IpsecSettings from(BackendConfig backend, Optional<Path> hostStateDir, Optional<Path> pskFile) {
        Psk psk = psk(backend, pskFile);
        int port = backend.intField("Port", DEFAULT_PORT, 1, 65535);
        String device = UdpDataPath.device(backend);
        int keyBits = backend.intField("KeyBits", 256, 128, 256);
        int queues = backend.field("Queues").isPresent()
                ? backend.intField("Queues", 1, 1, UdpDataPath.MAX_QUEUES) : UdpDataPath.queues(backend);
        return new IpsecSettings(psk, pskOrigin(backend, pskFile), port, device, keyBits, rekey(backend), queues,
                stateDir(hostStateDir));
    }

    /** {@code Backend.RekeySeconds}, for the daemon and for {@code weft doctor}'s report. */
    static Duration rekey(BackendConfig backend) {
        return Duration.ofSeconds(backend.intField("RekeySeconds", MAX_REKEY_SECONDS, MIN_REKEY_SECONDS,
                MAX_REKEY_SECONDS));
    }

    /** The PSK alone, for {@code weft ipsec sa}: the host's file when it names one, else {@code Backend.PSK}. */
    static Psk psk(BackendConfig backend, Optional<Path> pskFile) {
        return pskFile.isPresent() ? PskFile.read(pskFile.get()) : Psk.of(backend.textField("PSK").orElse(null));
    }

    static PskOrigin pskOrigin(BackendConfig backend, Optional<Path> pskFile) {
        if (pskFile.isEmpty()) {
            return PskOrigin.CONFIG;
        }
        return backend.field("PSK").isPresent() ? PskOrigin.FILE_OVER_CONFIG : PskOrigin.FILE;
    }

    /** The state directory alone, for {@code weft ipsec sa}: the host's, else the default. */
    static Path stateDir(Optional<Path> hostStateDir) {
        return hostStateDir.orElse(DEFAULT_STATE_DIR);
    }

    /** {@code Backend.StateDir} as written in the config, when there is one: no longer followed, only warned about. */
    static Optional<String> ignoredStateDir(BackendConfig backend) {
        return backend.field("StateDir").map(v -> v.isTextual() ? v.textValue() : v.toString());
    }
}
