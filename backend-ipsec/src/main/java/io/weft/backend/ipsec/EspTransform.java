package io.weft.backend.ipsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.LeaseEvent;
import java.nio.ByteBuffer;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ESP stage between the udp data path's TUN and UDP sides: per peer (keyed by its PublicIP) one
 * {@link OutboundState} and one {@link InboundState}, made from the peer's {@code BackendData.PublicKey}.
 * The forwarding threads call {@link #seal} and {@link #open} per packet; the daemon's threads call
 * {@link #handleEvents}, which builds a new immutable peer table (sorted addresses, binary search, no
 * boxing) and publishes it through a volatile field, keeping the SA state of peers whose key did not change.
 *
 * <p>Thread-safety: {@link #handleEvents} and {@link #saRecords} may run on any thread (serialised by a
 * lock); {@link #seal} runs only on the outbound forwarding thread and {@link #open} only on the inbound one,
 * because each direction's SA state is owned by one thread.
 */
final class EspTransform {
    private static final Logger LOG = LoggerFactory.getLogger(EspTransform.class);
    static final String TYPE = "ipsec";

    /** One peer's keys and SA state. */
    record Session(int publicIp, Ipv4Subnet subnet, String publicKey, OutboundState out, InboundState in) {
    }

    /** The published peer table: addresses sorted for binary search. Immutable. */
    private record Table(int[] addresses, Session[] sessions) {
        Session find(int address) {
            int i = Arrays.binarySearch(addresses, address);
            return i >= 0 ? sessions[i] : null;
        }
    }

    private final X25519Keys own;
    private final SaKeyDerivation derivation;
    private final RekeyPolicy policy;
    private final AeadKind kind;
    private final SecureRandom random;
    private final EspStats stats;
    private final String ownPublicIp;
    private final Object lock = new Object();
    private final Map<Ipv4Subnet, Session> bySubnet = new LinkedHashMap<>();
    private final Map<Integer, Boolean> warned = new HashMap<>();
    private volatile Table table = new Table(new int[0], new Session[0]);

    EspTransform(X25519Keys own, SaKeyDerivation derivation, RekeyPolicy policy, AeadKind kind, SecureRandom random,
            EspStats stats, String ownPublicIp) {
        this.own = own;
        this.derivation = derivation;
        this.policy = policy;
        this.kind = kind;
        this.random = random;
        this.stats = stats;
        this.ownPublicIp = ownPublicIp;
    }

    /** The lease attributes this host publishes: BackendType ipsec, BackendData {"PublicKey":"<base64>"}. */
    static LeaseAttrs leaseAttrs(String publicIp, X25519Keys keys) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("PublicKey", keys.publicKeyBase64());
        return new LeaseAttrs(publicIp, null, TYPE, data);
    }

    /** Applies peer changes; returns true when the peer table changed. */
    boolean handleEvents(List<LeaseEvent> events) {
        synchronized (lock) {
            boolean changed = false;
            for (LeaseEvent e : events) {
                if (e instanceof LeaseEvent.Added added) {
                    changed |= add(added.lease());
                } else if (bySubnet.remove(e.subnet()) != null) {
                    changed = true;
                }
            }
            if (changed) {
                publish();
            }
            return changed;
        }
    }

    private boolean add(Lease lease) {
        LeaseAttrs attrs = lease.attrs();
        String where = "lease " + lease.subnet();
        if (!TYPE.equalsIgnoreCase(attrs.backendType())) {
            LOG.info("peer ignored subnet={} backendType={}: it does not speak ipsec", lease.subnet(),
                    attrs.backendType());
            return bySubnet.remove(lease.subnet()) != null;
        }
        JsonNode key = attrs.backendData().path("PublicKey");
        byte[] peerKey;
        try {
            if (!key.isTextual()) {
                throw new WeftException(where + " has no BackendData.PublicKey: the peer must run the ipsec backend");
            }
            peerKey = X25519Keys.parsePublicKey(key.textValue(), where);
            int address = Ipv4.parse("PublicIP", attrs.publicIp());
            Session before = bySubnet.get(lease.subnet());
            if (before != null && before.publicIp() == address && before.publicKey().equals(key.textValue())) {
                return false;
            }
            PeerKeys keys = new PeerKeys(derivation, own, peerKey, attrs.publicIp(), kind, random);
            bySubnet.put(lease.subnet(), new Session(address, lease.subnet(), key.textValue(),
                    new OutboundState(keys, policy, stats), new InboundState(keys, policy, stats)));
            LOG.info("ipsec peer added subnet={} publicIp={}", lease.subnet(), attrs.publicIp());
            return true;
        } catch (WeftException e) {
            LOG.warn("ipsec peer ignored subnet={}: {}", lease.subnet(), e.getMessage());
            return bySubnet.remove(lease.subnet()) != null;
        }
    }

    private void publish() {
        List<Session> list = new ArrayList<>(bySubnet.values());
        list.sort((a, b) -> Integer.compare(a.publicIp(), b.publicIp()));
        int[] addresses = new int[list.size()];
        Session[] sessions = new Session[list.size()];
        for (int i = 0; i < list.size(); i++) {
            addresses[i] = list.get(i).publicIp();
            sessions[i] = list.get(i);
        }
        table = new Table(addresses, sessions);
    }

    /**
     * Seals the inner packet {@code src} (position to limit, with 5 bytes of room past the limit) for the
     * peer at {@code peerIp} into {@code dst} at its position. Returns the ESP length or an
     * {@link EspDrop#code()} ({@link EspDrop#NO_SA} when the peer has no key).
     */
    int seal(int peerIp, ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        Session s = table.find(peerIp);
        if (s == null) {
            stats.drop(EspDrop.NO_SA);
            return EspDrop.NO_SA.code();
        }
        int n = s.out().current(nowNanos, nowEpochSeconds).seal(src, dst);
        stats.sealed();
        return n;
    }

    /**
     * Opens an ESP payload from {@code sourceIp} ({@code src} position to limit) into {@code dst} at its
     * position. Returns the inner packet length or an {@link EspDrop#code()}, already counted.
     */
    int open(int sourceIp, ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        Session s = table.find(sourceIp);
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
     * Peers whose packets fail authentication and never verified (most likely another PSK), each reported
     * once; for the reporting thread to log.
     */
    List<String> newAuthenticationWarnings() {
        List<String> out = new ArrayList<>();
        synchronized (lock) {
            for (Session s : bySubnet.values()) {
                if (s.in().authFailures() > 0 && !s.in().everVerified() && warned.put(s.publicIp(), true) == null) {
                    out.add("ESP packets from peer " + Ipv4.format(s.publicIp()) + " (subnet " + s.subnet()
                            + ") fail authentication: it most likely has another Backend.PSK; check the network"
                            + " config it reads");
                }
            }
        }
        return out;
    }

    /** The current SAs (and the previous inbound one during its overlap), for the SA list file. */
    List<SaRecord> saRecords() {
        List<SaRecord> out = new ArrayList<>();
        synchronized (lock) {
            for (Session s : bySubnet.values()) {
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
        }
        return out;
    }
}
