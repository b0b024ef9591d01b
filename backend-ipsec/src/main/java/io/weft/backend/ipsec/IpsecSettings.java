package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.spi.backend.ExternalInterface;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The ipsec backend's settings, read from the network config's {@code Backend} section, the external
 * interface and the host environment. Immutable.
 *
 * @param psk      {@code Backend.PSK}: required, at least 32 bytes
 * @param port     {@code Backend.Port}: the UDP port for ESP in UDP (default 4500, as RFC 3948)
 * @param device   {@code Backend.Device}: the TUN device name (default {@code weft0})
 * @param keyBits  {@code Backend.KeyBits}: AES-GCM key size, 128 or 256 (default 256)
 * @param rekey    {@code Backend.RekeySeconds}: how often each outbound SA is replaced (default and maximum
 *                 3600, minimum 10)
 * @param stateDir where the X25519 key file and the SA list live: {@code WEFT_IPSEC_STATE_DIR} from the
 *                 host environment, else {@code Backend.StateDir}, else {@code /var/lib/weft}. Host-local, so
 *                 the environment wins over the cluster-wide config.
 * @param mtu      the TUN MTU: the external MTU minus the ESP-in-UDP overhead ({@link Esp#innerMtu})
 */
record IpsecSettings(Psk psk, int port, String device, int keyBits, Duration rekey, Path stateDir, int mtu) {
    static final int DEFAULT_PORT = 4500;
    static final String DEFAULT_DEVICE = "weft0";
    static final Path DEFAULT_STATE_DIR = Path.of("/var/lib/weft");
    static final String STATE_DIR_ENV = "WEFT_IPSEC_STATE_DIR";
    static final int MIN_REKEY_SECONDS = 10;
    static final int MAX_REKEY_SECONDS = 3600;
    static final int MIN_MTU = 68;
    private static final Pattern DEVICE_NAME = Pattern.compile("[A-Za-z0-9_.-]{1,15}");

    IpsecSettings {
        Objects.requireNonNull(psk, "psk is null");
        Objects.requireNonNull(device, "device is null");
        Objects.requireNonNull(rekey, "rekey is null");
        Objects.requireNonNull(stateDir, "stateDir is null");
        if (!DEVICE_NAME.matcher(device).matches() || device.equals(".") || device.equals("..")) {
            throw new WeftException("Backend.Device \"" + device + "\" is not a usable device name: use 1 to 15"
                    + " letters, digits, '_', '.' or '-', such as " + DEFAULT_DEVICE);
        }
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

    static IpsecSettings from(BackendConfig backend, ExternalInterface external, Map<String, String> env) {
        Psk psk = Psk.of(backend.textField("PSK").orElse(null));
        int port = backend.intField("Port", DEFAULT_PORT, 1, 65535);
        String device = backend.textField("Device").orElse(DEFAULT_DEVICE);
        int keyBits = backend.intField("KeyBits", 256, 128, 256);
        int rekey = backend.intField("RekeySeconds", MAX_REKEY_SECONDS, MIN_REKEY_SECONDS, MAX_REKEY_SECONDS);
        Path stateDir = stateDir(backend, env);
        int mtu = Esp.innerMtu(external.mtu());
        if (mtu < MIN_MTU) {
            throw new WeftException("external interface " + external.name() + " has MTU " + external.mtu()
                    + ", too small for the ipsec backend: it needs at least " + Esp.outerMtuFor(MIN_MTU)
                    + "; pick another interface with --iface");
        }
        return new IpsecSettings(psk, port, device, keyBits, Duration.ofSeconds(rekey), stateDir, mtu);
    }

    /** The state directory alone, for {@code weft ipsec sa}, which has no interface to size. */
    static Path stateDir(BackendConfig backend, Map<String, String> env) {
        String fromEnv = env.get(STATE_DIR_ENV);
        if (fromEnv != null && !fromEnv.isBlank()) {
            return Path.of(fromEnv);
        }
        return backend.textField("StateDir").map(Path::of).orElse(DEFAULT_STATE_DIR);
    }
}
