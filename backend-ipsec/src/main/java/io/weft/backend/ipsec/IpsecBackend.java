package io.weft.backend.ipsec;

import io.weft.backend.udp.UdpDataPath;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.Network;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the host for the ipsec backend: checks the settings (PSK first), loads or makes the X25519 key
 * file, then builds the udp data path with the ESP stage and a lease that publishes the public key. Made by
 * {@link IpsecBackendProvider}; one register per instance.
 */
final class IpsecBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(IpsecBackend.class);
    private final BackendContext context;
    private final Map<String, String> env;

    IpsecBackend(BackendContext context, Map<String, String> env) {
        this.context = context;
        this.env = Map.copyOf(env);
    }

    @Override
    public Network register(NetworkConfig config) {
        IpsecSettings settings = IpsecSettings.from(config.backend(), context.externalInterface(), env);
        SecureRandom random = new SecureRandom();
        X25519Keys keys = KeyFile.loadOrCreate(settings.keyFile(), random);
        EspStats stats = new EspStats();
        EspTransform esp = new EspTransform(keys, new SaKeyDerivation(settings.psk(), settings.keyBits()),
                RekeyPolicy.of(settings.rekey()), AeadKind.DATA_PATH, random, stats, context.publicIp());
        LOG.info("ipsec backend registering keyFile={} publicKey={} keyBits={} rekeySeconds={} mtu={}",
                settings.keyFile(), keys.publicKeyBase64(), settings.keyBits(), settings.rekey().toSeconds(),
                settings.mtu());
        Network udp = UdpDataPath.register(context, config, new UdpDataPath.Spec(EspTransform.TYPE,
                EspTransform.leaseAttrs(context.publicIp(), keys), settings.port(), settings.device(), settings.mtu(),
                new EspPacketTransform(esp)));
        return new IpsecNetwork(udp, esp, stats, new SaListFile.Contents(keys.publicKeyBase64(), settings.keyBits(),
                SaListFile.pskId(settings.psk()), List.of()), settings.saFile());
    }
}
