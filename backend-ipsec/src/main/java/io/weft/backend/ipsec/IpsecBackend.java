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
 * The ipsec backend on one host. {@link #prepare} checks the settings (PSK first, from the host's PSK file when
 * the context names one), logs where the PSK came from, loads or makes the X25519 key file in the host's state
 * directory and binds the udp data path's socket with the ESP stage in it, and asks for a lease that publishes
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
        settings = IpsecSettings.from(config.backend(), context.stateDir(), context.pskFile());
        logWhereSecretsComeFrom(config);
        SecureRandom random = new SecureRandom();
        keys = KeyFile.loadOrCreate(settings.keyFile(), random);
        stats = new EspStats();
        esp = new EspTransform(keys, new SaKeyDerivation(settings.psk(), settings.keyBits()),
                RekeyPolicy.of(settings.rekey()), AeadKind.DATA_PATH, random, stats, context.publicIp(),
                Clock.systemUTC(), settings.queues());
        dataPath = UdpDataPath.prepare(context, config, new UdpDataPath.Spec<>(EspTransform.TYPE, settings.port(),
                settings.device(), new EspPacketTransform(esp), settings.queues(),
                UdpDataPath.offloads(config.backend())));
        return leaseRequest(keys, context.externalInterface().mtu());
    }

    /** Once per start: where the PSK came from, and a {@code Backend.StateDir} that is no longer followed. */
    private void logWhereSecretsComeFrom(NetworkConfig config) {
        switch (settings.pskOrigin()) {
            case FILE -> LOG.info("ipsec PSK from file={}", context.pskFile().orElseThrow());
            case FILE_OVER_CONFIG -> LOG.info("ipsec PSK from file={}; Backend.PSK in the network config is ignored:"
                    + " the host's file wins", context.pskFile().orElseThrow());
            case CONFIG -> LOG.warn("ipsec PSK from Backend.PSK in the network config, which every etcd reader can"
                    + " read: put it in a file of mode 0600 on each host, give it with {} FILE, and remove it from"
                    + " the config", PskFile.FLAG);
        }
        IpsecSettings.ignoredStateDir(config.backend()).ifPresent(dir -> LOG.warn("Backend.StateDir \"{}\" in the network"
                + " config is ignored: the state directory comes only from this host; set it with {} DIR or {}"
                + " (now {})", dir, IpsecSettings.STATE_DIR_FLAG, IpsecSettings.STATE_DIR_ENV, settings.stateDir()));
    }

    @Override
    public Network start(Lease lease, int mtu) {
        if (dataPath == null) {
            throw new IllegalStateException("start before prepare");
        }
        LOG.info("ipsec backend starting keyFile={} publicKey={} keyBits={} rekeySeconds={} queues={} mtu={} aesGcm={}",
                settings.keyFile(), keys.publicKeyBase64(), settings.keyBits(), settings.rekey().toSeconds(),
                settings.queues(), mtu, AeadKind.DATA_PATH.label());
        if (AeadKind.DATA_PATH != AeadKind.COMPOSED) {
            LOG.warn("ipsec AES-GCM through the JCE's Cipher, about 0.3 us more per packet and direction and 1.1 KB of"
                    + " garbage: {}", ComposedAesGcm.unavailableReason());
        }
        Network udp = dataPath.start(lease, mtu);
        return new IpsecNetwork(udp, dataPath::peerStates, esp, stats, new SaListFile.Contents(keys.publicKeyBase64(),
                settings.keyBits(), SaListFile.pskId(settings.psk()), List.of()), settings.saFile(),
                AeadKind.DATA_PATH == AeadKind.JDK);
    }

    @Override
    public void close() {
        if (dataPath != null) {
            dataPath.close();
        }
    }
}
