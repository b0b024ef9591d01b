package io.weft.backend.ipsec;

import io.weft.backend.udp.UdpDataPath;
import io.weft.core.model.Lease;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.LeaseRequest;
import io.weft.core.spi.backend.Network;
import java.security.SecureRandom;
import java.time.Clock;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ipsec backend on one host. {@link #prepare} checks the settings (PSK first), loads or makes the X25519
 * key file and binds the udp data path's socket with the ESP stage in it, and asks for a lease that publishes
 * the public key; {@link #start} brings the data path up and adds the SA reporter. Made by
 * {@link IpsecBackendProvider}; used once, from one thread.
 */
final class IpsecBackend implements Backend {
    private static final Logger LOG = LoggerFactory.getLogger(IpsecBackend.class);
    private final BackendContext context;
    private IpsecSettings settings;
    private X25519Keys keys;
    private EspTransform esp;
    private EspStats stats;
    private UdpDataPath<EspTransform.Session> dataPath;

    IpsecBackend(BackendContext context) {
        this.context = context;
    }

    /**
     * What an ipsec host asks for: BackendData {"PublicKey":"<base64>"}, and an overhead that makes the overlay
     * MTU exactly {@link Esp#innerMtu} of the external one (the ESP padding makes it depend on that MTU).
     */
    static LeaseRequest leaseRequest(X25519Keys keys, int externalMtu) {
        return new LeaseRequest(EspTransform.TYPE, EspTransform.backendData(keys), externalMtu
                - Esp.innerMtu(externalMtu));
    }

    @Override
    public LeaseRequest prepare(NetworkConfig config) {
        if (dataPath != null) {
            throw new IllegalStateException("the ipsec backend was prepared already");
        }
        settings = IpsecSettings.from(config.backend(), context.stateDir());
        SecureRandom random = new SecureRandom();
        keys = KeyFile.loadOrCreate(settings.keyFile(), random);
        stats = new EspStats();
        esp = new EspTransform(keys, new SaKeyDerivation(settings.psk(), settings.keyBits()),
                RekeyPolicy.of(settings.rekey()), AeadKind.DATA_PATH, random, stats, context.publicIp(),
                Clock.systemUTC());
        dataPath = UdpDataPath.prepare(context, config, new UdpDataPath.Spec<>(EspTransform.TYPE, settings.port(),
                settings.device(), new EspPacketTransform(esp), 1, UdpDataPath.offloads(config.backend())));
        return leaseRequest(keys, context.externalInterface().mtu());
    }

    @Override
    public Network start(Lease lease, int mtu) {
        if (dataPath == null) {
            throw new IllegalStateException("start before prepare");
        }
        LOG.info("ipsec backend starting keyFile={} publicKey={} keyBits={} rekeySeconds={} mtu={}",
                settings.keyFile(), keys.publicKeyBase64(), settings.keyBits(), settings.rekey().toSeconds(), mtu);
        Network udp = dataPath.start(lease, mtu);
        return new IpsecNetwork(udp, dataPath::peerStates, esp, stats, new SaListFile.Contents(keys.publicKeyBase64(),
                settings.keyBits(), SaListFile.pskId(settings.psk()), List.of()), settings.saFile());
    }

    @Override
    public void close() {
        if (dataPath != null) {
            dataPath.close();
        }
    }
}
