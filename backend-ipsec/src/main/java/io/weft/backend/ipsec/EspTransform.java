package io.weft.backend.ipsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ESP stage between the udp data path's TUN and UDP sides. For each peer it makes a {@link Session} (one
 * {@link OutboundState} and one {@link InboundState}, keyed from the peer's {@code BackendData.PublicKey});
 * the sessions live in the udp data path's route table, which hands each packet's session to {@link #seal}
 * and {@link #open}, so this class keeps no peer table. The reporting thread reads the sessions the table
 * holds now for the SA list and the "another PSK?" warnings.
 *
 * <p>Thread-safety: {@link #session} may run on any thread; {@link #seal} runs only on the outbound
 * forwarding thread and {@link #open} only on the inbound one, because each direction's SA state is owned by
 * one thread; {@link #newAuthenticationWarnings} and {@link #saRecords} run on the reporting thread.
 */
final class EspTransform {
    private static final Logger LOG = LoggerFactory.getLogger(EspTransform.class);
    static final String TYPE = "ipsec";

    /** One peer's keys and SA state: the per-peer state of the route table entry that routes to it. */
    record Session(int publicIp, Ipv4Subnet subnet, String publicKey, OutboundState out, InboundState in) {
    }

    private final X25519Keys own;
    private final SaKeyDerivation derivation;
    private final RekeyPolicy policy;
    private final AeadKind kind;
    private final SecureRandom random;
    private final EspStats stats;
    private final String ownPublicIp;
    private final int ownIp;
    private final Set<Integer> warned = new HashSet<>();

    EspTransform(X25519Keys own, SaKeyDerivation derivation, RekeyPolicy policy, AeadKind kind, SecureRandom random,
            EspStats stats, String ownPublicIp) {
        this.own = own;
        this.derivation = derivation;
        this.policy = policy;
        this.kind = kind;
        this.random = random;
        this.stats = stats;
        this.ownPublicIp = ownPublicIp;
        this.ownIp = Ipv4.parse("PublicIP", ownPublicIp);
    }

    /** The lease's BackendData this host publishes: {"PublicKey":"<base64>"}. */
    static ObjectNode backendData(X25519Keys keys) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("PublicKey", keys.publicKeyBase64());
        return data;
    }

    /**
     * A new session for the ipsec peer {@code lease}, or null (logged) when its lease has no usable
     * {@code BackendData.PublicKey}: packets to it are then dropped as {@link EspDrop#NO_SA}, and from it as
     * {@link EspDrop#UNKNOWN_PEER}.
     */
    Session session(Lease lease) {
        LeaseAttrs attrs = lease.attrs();
        String where = "lease " + lease.subnet();
        JsonNode key = attrs.backendData().path("PublicKey");
        try {
            if (!key.isTextual()) {
                throw new WeftException(where + " has no BackendData.PublicKey: the peer must run the ipsec backend");
            }
            byte[] peerKey = X25519Keys.parsePublicKey(key.textValue(), where);
            PeerKeys keys = new PeerKeys(derivation, own, ownIp, peerKey, Ipv4.parse("PublicIP", attrs.publicIp()),
                    kind, random);
            LOG.debug("ipsec session made subnet={} publicIp={}", lease.subnet(), attrs.publicIp());
            return new Session(Ipv4.parse("PublicIP", attrs.publicIp()), lease.subnet(), key.textValue(),
                    new OutboundState(keys, policy, stats), new InboundState(keys, policy, stats));
        } catch (WeftException e) {
            LOG.warn("ipsec peer ignored subnet={}: {}", lease.subnet(), e.getMessage());
            return null;
        }
    }

    /**
     * Seals the inner packet {@code src} (position to limit, with 5 bytes of room past the limit) for the
     * peer of session {@code s} into {@code dst} at its position. Returns the ESP length or an
     * {@link EspDrop#code()} ({@link EspDrop#NO_SA} when the peer has no session).
     */
    int seal(Session s, ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        if (s == null) {
            stats.drop(EspDrop.NO_SA);
            return EspDrop.NO_SA.code();
        }
        int n = s.out().current(nowNanos, nowEpochSeconds).seal(src, dst);
        stats.sealed();
        return n;
    }

    /**
     * Opens an ESP payload from the peer of session {@code s} ({@code src} position to limit) into {@code dst}
     * at its position. Returns the inner packet length or an {@link EspDrop#code()}, already counted.
     */
    int open(Session s, ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        if (s == null) {
            stats.drop(EspDrop.UNKNOWN_PEER);
            return EspDrop.UNKNOWN_PEER.code();
        }
        int r = s.in().open(src, dst, nowNanos, nowEpochSeconds);
        if (r < 0) {
            stats.drop(EspDrop.fromCode(r));
        } else {
            stats.opened();
        }
        return r;
    }

    /**
     * Peers among {@code sessions} whose packets fail authentication and never verified (most likely another
     * PSK), each reported once; for the reporting thread to log.
     */
    List<String> newAuthenticationWarnings(List<Session> sessions) {
        List<String> out = new ArrayList<>();
        synchronized (warned) {
            for (Session s : sessions) {
                if (s.in().authFailures() > 0 && !s.in().everVerified() && warned.add(s.publicIp())) {
                    out.add("ESP packets from peer " + Ipv4.format(s.publicIp()) + " (subnet " + s.subnet()
                            + ") fail authentication: it most likely has another Backend.PSK; check the network"
                            + " config it reads");
                }
            }
        }
        return out;
    }

    /** The current SAs of {@code sessions} (and the previous inbound one during its overlap), for the SA list. */
    List<SaRecord> saRecords(List<Session> sessions) {
        List<SaRecord> out = new ArrayList<>();
        for (Session s : sessions) {
            String peer = Ipv4.format(s.publicIp());
            OutboundSa o = s.out().peek();
            if (o != null) {
                out.add(new SaRecord(true, ownPublicIp, peer, o.spi(), s.publicKey(), true));
            }
            InboundSa c = s.in().current();
            if (c != null) {
                out.add(new SaRecord(false, peer, ownPublicIp, c.spi(), s.publicKey(), true));
            }
            InboundSa p = s.in().previous();
            if (p != null) {
                out.add(new SaRecord(false, peer, ownPublicIp, p.spi(), s.publicKey(), false));
            }
        }
        return out;
    }
}
