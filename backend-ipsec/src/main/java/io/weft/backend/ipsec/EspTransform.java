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
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.StringJoiner;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ESP stage between the udp data path's TUN and UDP sides. For each peer it makes a {@link Session} (an
 * {@link OutboundState} per sending queue of this host and an {@link InboundState} per sending queue an SPI can
 * name, {@link Esp#SA_QUEUES}, all keyed from the peer's {@code BackendData.PublicKey});
 * the sessions live in the udp data path's route table, which hands each packet's session to {@link #seal}
 * and {@link #open}, so this class keeps no peer table. The reporting thread reads the sessions the table
 * holds now for the SA list and the "another PSK?" warnings.
 *
 * <p>It also judges peers' keys: a peer that publishes this host's own key, or the same key as another peer
 * (a copied key file, a cloned VM image), is refused (its packets are dropped as {@link EspDrop#DUPLICATE_KEY})
 * and logged; a peer whose key changed is logged with both keys' fingerprints and counted
 * ({@link #keyChanges}). A peer key's SA state outlives its session by {@link RekeyPolicy#retention}, so a
 * key flipped away and back in the store finds its anti-replay windows as it left them.
 *
 * <p>Thread-safety: {@link #session} and {@link #routed} run on the daemon's threads, one at a time (under the
 * data path's lock), and share state under this object's lock; {@link #seal} runs on each queue's outbound
 * forwarding thread with that queue's own {@link OutboundState}; {@link #open} runs on the inbound ones and opens
 * each datagram in the {@link InboundState} of the queue its SPI names, under that state's monitor: the receive
 * steering ({@link EspSteering}) gives each such state one thread, so the lock is uncontended but when a GRO
 * train mixes queues. {@link #newAuthenticationWarnings} and {@link #saRecords} run on the reporting thread, and
 * {@link #keyChanges} on any.
 */
final class EspTransform {
    private static final Logger LOG = LoggerFactory.getLogger(EspTransform.class);
    static final String TYPE = "ipsec";
    /** The BackendData field that says a host takes partial inner checksums. */
    static final String PARTIAL_CHECKSUMS = "PartialChecksums";
    private static final String FIX = "stop weft on that host, delete " + KeyFile.FILE_NAME
            + " in its ipsec state directory and start weft again, so it makes a key of its own";

    /**
     * One peer's keys and SA state: the per-peer state of the route table entry that routes to it. Its out and
     * in states may be shared with an earlier session of the same PublicIP and key. {@link #refusal} is set by
     * the daemon's threads and read per packet.
     */
    static final class Session {
        private final int publicIp;
        private final Ipv4Subnet subnet;
        private final String publicKey;
        private final OutboundState[] out;
        private final InboundState[] in;
        private final boolean partialChecksums;
        private volatile String refusal;

        Session(int publicIp, Ipv4Subnet subnet, String publicKey, OutboundState[] out, InboundState[] in,
                boolean partialChecksums) {
            this.publicIp = publicIp;
            this.subnet = subnet;
            this.publicKey = publicKey;
            this.out = out;
            this.in = in;
            this.partialChecksums = partialChecksums;
        }

        /**
         * Whether the peer's lease says it takes inner packets with partial checksums
         * ({@code BackendData.PartialChecksums}), so segments sealed for it may leave theirs partial.
         */
        boolean partialChecksums() {
            return partialChecksums;
        }

        int publicIp() {
            return publicIp;
        }

        Ipv4Subnet subnet() {
            return subnet;
        }

        /** The peer's X25519 public key, base64, as its lease publishes it. */
        String publicKey() {
            return publicKey;
        }

        /** The sending side of this host's queue {@code queue}. */
        OutboundState out(int queue) {
            return out[queue];
        }

        /** The receiving side of the peer's sending queue {@code queue} (the SPIs {@link Esp#queueOf} names it in). */
        InboundState in(int queue) {
            return in[queue];
        }

        /** How many sending queues this host has towards the peer. */
        int queues() {
            return out.length;
        }

        /** Whether any of the peer's queues' packets fail authentication with none verifying (another PSK?). */
        boolean pskSuspected() {
            for (InboundState state : in) {
                if (state.pskSuspected()) {
                    return true;
                }
            }
            return false;
        }

        /** Why this peer is refused, or null while it is served. */
        String refusal() {
            return refusal;
        }
    }

    /** A peer key's SA state, kept across its sessions; {@code goneSince} is -1 while a session is routed to. */
    private static final class Parts {
        final OutboundState[] out;
        final InboundState[] in;
        long goneSinceMillis = -1;

        Parts(OutboundState[] out, InboundState[] in) {
            this.out = out;
            this.in = in;
        }
    }

    private record PeerKey(int publicIp, String publicKey) {
    }

    private final X25519Keys own;
    private final String ownKey;
    private final SaKeyDerivation derivation;
    private final RekeyPolicy policy;
    private final AeadKind kind;
    private final SecureRandom random;
    private final EspStats stats;
    private final String ownPublicIp;
    private final int ownIp;
    private final Clock clock;
    private final int queues;
    private final Set<Integer> warned = new HashSet<>();
    /** Guarded by this. */
    private final Map<PeerKey, Parts> parts = new HashMap<>();
    /** Each peer's last key, by PublicIP; guarded by this. */
    private final Map<Integer, String> lastKeys = new HashMap<>();
    private final Map<String, Long> keyChanges = new ConcurrentHashMap<>();

    /** @param queues this host's sending queues, 1 to {@link Esp#SA_QUEUES} */
    EspTransform(X25519Keys own, SaKeyDerivation derivation, RekeyPolicy policy, AeadKind kind, SecureRandom random,
            EspStats stats, String ownPublicIp, Clock clock, int queues) {
        if (queues < 1 || queues > Esp.SA_QUEUES) {
            throw new IllegalArgumentException("queues " + queues + " is not in 1.." + Esp.SA_QUEUES);
        }
        this.queues = queues;
        this.own = own;
        this.ownKey = own.publicKeyBase64();
        this.derivation = derivation;
        this.policy = policy;
        this.kind = kind;
        this.random = random;
        this.stats = stats;
        this.ownPublicIp = ownPublicIp;
        this.ownIp = Ipv4.parse("PublicIP", ownPublicIp);
        this.clock = clock;
    }

    /**
     * The lease's BackendData this host publishes: {"PublicKey":"<base64>","PartialChecksums":true}. The second
     * field tells peers that this host takes inner TCP and UDP packets whose checksum was left partial (the ESP ICV
     * guards them on the way; a receiver hands them to its device as partial or completes them), so they need not
     * sum each segment's payload; a peer that does not read it sends complete checksums, which is always right.
     */
    static ObjectNode backendData(X25519Keys keys) {
        ObjectNode data = JsonNodeFactory.instance.objectNode();
        data.put("PublicKey", keys.publicKeyBase64());
        data.put(PARTIAL_CHECKSUMS, true);
        return data;
    }

    /**
     * A new session for the ipsec peer {@code lease}, or null (logged) when its lease has no usable
     * {@code BackendData.PublicKey}: packets to it are then dropped as {@link EspDrop#NO_SA}, and from it as
     * {@link EspDrop#UNKNOWN_PEER}. A session whose PublicIP and key an earlier one had takes over its SA
     * state. A peer that publishes this host's own key is refused at once.
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
            int peerIp = Ipv4.parse("PublicIP", attrs.publicIp());
            String text = Base64.getEncoder().encodeToString(peerKey);
            Session s;
            synchronized (this) {
                noteKey(peerIp, lease.subnet(), text);
                Parts p = parts.get(new PeerKey(peerIp, text));
                if (p == null) {
                    PeerKeys keys = new PeerKeys(derivation, own, ownIp, peerKey, peerIp, kind, random);
                    OutboundState[] out = new OutboundState[queues];
                    for (int q = 0; q < queues; q++) {
                        out[q] = new OutboundState(keys, policy, stats, q);
                    }
                    InboundState[] in = new InboundState[Esp.SA_QUEUES];
                    for (int q = 0; q < in.length; q++) {
                        in[q] = new InboundState(keys, policy, stats);
                    }
                    p = new Parts(out, in);
                    parts.put(new PeerKey(peerIp, text), p);
                }
                p.goneSinceMillis = -1;
                s = new Session(peerIp, lease.subnet(), text, p.out, p.in,
                        attrs.backendData().path(PARTIAL_CHECKSUMS).booleanValue());
                judge(s, text.equals(ownKey) ? ownKeyRefusal() : null);
                forgetExpired(clock.millis());
            }
            LOG.debug("ipsec session made subnet={} publicIp={}", lease.subnet(), attrs.publicIp());
            return s;
        } catch (WeftException e) {
            LOG.warn("ipsec peer ignored subnet={}: {}", lease.subnet(), e.getMessage());
            return null;
        }
    }

    /** Logs and counts a change of the key {@code publicIp} publishes. Under this object's lock. */
    private void noteKey(int publicIp, Ipv4Subnet subnet, String key) {
        String before = lastKeys.put(publicIp, key);
        if (before != null && !before.equals(key)) {
            String peer = Ipv4.format(publicIp);
            keyChanges.merge(peer, 1L, Long::sum);
            LOG.warn("ipsec peer key changed peer={} subnet={} old={} new={}: new SAs from now on; expected when"
                    + " that host lost its key file, otherwise someone who can write to the store replaced it",
                    peer, subnet, X25519Keys.fingerprint(before), X25519Keys.fingerprint(key));
        }
    }

    private String ownKeyRefusal() {
        return "it publishes this host's own PublicKey (a copied key file or a cloned VM image?)";
    }

    /** Sets why {@code s} is refused (null: it is served), logging each change. Under this object's lock. */
    private void judge(Session s, String refusal) {
        String before = s.refusal;
        if (Objects.equals(before, refusal)) {
            return;
        }
        s.refusal = refusal;
        if (refusal != null) {
            LOG.warn("ipsec peer refused peer={} subnet={} key={}: {}; its packets are dropped as {} until it has a"
                    + " key of its own: {}", Ipv4.format(s.publicIp), s.subnet, X25519Keys.fingerprint(s.publicKey),
                    refusal, EspDrop.DUPLICATE_KEY.key(), FIX);
        } else {
            LOG.info("ipsec peer accepted again peer={} subnet={} key={}: no other host publishes its key now",
                    Ipv4.format(s.publicIp), s.subnet, X25519Keys.fingerprint(s.publicKey));
        }
    }

    /**
     * The sessions the next route table holds: peers that publish one key from different PublicIPs are refused
     * (and served again once only one does), and SA state of keys no session uses starts to age out.
     */
    void routed(List<Session> sessions) {
        Map<String, Set<Integer>> holders = new HashMap<>();
        for (Session s : sessions) {
            holders.computeIfAbsent(s.publicKey, k -> new TreeSet<>()).add(s.publicIp);
        }
        synchronized (this) {
            Set<PeerKey> live = new HashSet<>();
            for (Session s : sessions) {
                live.add(new PeerKey(s.publicIp, s.publicKey));
                Set<Integer> sharing = holders.get(s.publicKey);
                String refusal = null;
                if (s.publicKey.equals(ownKey)) {
                    refusal = ownKeyRefusal();
                } else if (sharing.size() > 1) {
                    StringJoiner others = new StringJoiner(", ");
                    sharing.stream().filter(ip -> ip != s.publicIp).forEach(ip -> others.add(Ipv4.format(ip)));
                    refusal = (sharing.size() > 2 ? "peers " : "peer ") + others + " publish"
                            + (sharing.size() > 2 ? "" : "es") + " the same PublicKey (a copied key file or a cloned"
                            + " VM image?)";
                }
                judge(s, refusal);
            }
            long now = clock.millis();
            for (Map.Entry<PeerKey, Parts> e : parts.entrySet()) {
                if (live.contains(e.getKey())) {
                    e.getValue().goneSinceMillis = -1;
                } else if (e.getValue().goneSinceMillis < 0) {
                    e.getValue().goneSinceMillis = now;
                }
            }
            forgetExpired(now);
        }
    }

    /** Drops SA state whose key no session has used for {@link RekeyPolicy#retention}. Under this object's lock. */
    private void forgetExpired(long nowMillis) {
        long keep = policy.retention().toMillis();
        parts.values().removeIf(p -> p.goneSinceMillis >= 0 && nowMillis - p.goneSinceMillis > keep);
    }

    /** How many peer key states are kept (in use or retained), for tests. */
    synchronized int keptKeys() {
        return parts.size();
    }

    /** How often each peer's key changed, by PublicIP. */
    Map<String, Long> keyChanges() {
        return Map.copyOf(keyChanges);
    }

    /** This host's sending queues. */
    int queues() {
        return queues;
    }

    /**
     * Seals the inner packet {@code src} (position to limit, with 5 bytes of room past the limit) for the
     * peer of session {@code s} into {@code dst} at its position, with the SA of sending queue {@code queue}.
     * Returns the ESP length or an {@link EspDrop#code()} ({@link EspDrop#NO_SA} when the peer has no session).
     */
    int seal(Session s, int queue, ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        if (s == null) {
            stats.drop(EspDrop.NO_SA);
            return EspDrop.NO_SA.code();
        }
        if (s.refusal != null) {
            stats.drop(EspDrop.DUPLICATE_KEY);
            return EspDrop.DUPLICATE_KEY.code();
        }
        int n = s.out[queue].current(nowNanos, nowEpochSeconds).seal(src, dst);
        stats.sealed();
        return n;
    }

    /**
     * Opens an ESP payload from the peer of session {@code s} ({@code src} position to limit) into {@code dst}
     * at its position, in the inbound state of the sending queue its SPI names. Returns the inner packet length
     * or an {@link EspDrop#code()}, already counted.
     */
    int open(Session s, ByteBuffer src, ByteBuffer dst, long nowNanos, long nowEpochSeconds) {
        if (s == null) {
            stats.drop(EspDrop.UNKNOWN_PEER);
            return EspDrop.UNKNOWN_PEER.code();
        }
        if (s.refusal != null) {
            stats.drop(EspDrop.DUPLICATE_KEY);
            return EspDrop.DUPLICATE_KEY.code();
        }
        if (!InboundSa.wellFormed(src)) {
            stats.drop(EspDrop.MALFORMED);
            return EspDrop.MALFORMED.code();
        }
        InboundState in = s.in[Esp.queueOf(src.getInt(src.position()))];
        int r;
        synchronized (in) {
            r = in.open(src, dst, nowNanos, nowEpochSeconds);
        }
        if (r < 0) {
            stats.drop(EspDrop.fromCode(r));
        } else {
            stats.opened();
        }
        return r;
    }

    /**
     * Peers among {@code sessions} whose packets failed authentication several times with none verifying
     * ({@link InboundState#pskSuspected}: most likely another PSK), each reported once; for the reporting thread
     * to log.
     */
    List<String> newAuthenticationWarnings(List<Session> sessions) {
        List<String> out = new ArrayList<>();
        synchronized (warned) {
            for (Session s : sessions) {
                if (s.pskSuspected() && warned.add(s.publicIp())) {
                    out.add("ESP packets from peer " + Ipv4.format(s.publicIp()) + " (subnet " + s.subnet()
                            + ") fail authentication: it most likely has another PSK; compare the"
                            + " --ipsec-psk-file (or Backend.PSK) both hosts read");
                }
            }
        }
        return out;
    }

    /**
     * The current SAs of {@code sessions} (and the previous inbound one during its overlap), for the SA list;
     * refused peers have none.
     */
    List<SaRecord> saRecords(List<Session> sessions) {
        List<SaRecord> out = new ArrayList<>();
        for (Session s : sessions) {
            if (s.refusal() != null) {
                continue;
            }
            String peer = Ipv4.format(s.publicIp());
            for (OutboundState state : s.out) {
                OutboundSa o = state.peek();
                if (o != null) {
                    out.add(new SaRecord(true, ownPublicIp, peer, o.spi(), s.publicKey(), true));
                }
            }
            for (InboundState state : s.in) {
                InboundSa c = state.current();
                if (c != null) {
                    out.add(new SaRecord(false, peer, ownPublicIp, c.spi(), s.publicKey(), true));
                }
                InboundSa p = state.previous();
                if (p != null) {
                    out.add(new SaRecord(false, peer, ownPublicIp, p.spi(), s.publicKey(), false));
                }
            }
        }
        return out;
    }
}
