package io.weft.backend.ipsec;

import io.weft.core.model.Ipv4;
import java.security.SecureRandom;

/**
 * The keying context of one peer pair: the X25519 shared secret and both public keys and PublicIPs, from which
 * every SA of both directions is derived. Makes {@link OutboundSa}s (this host to the peer) and {@link InboundSa}s
 * (the peer to this host). Immutable apart from the random source; thread-safe.
 */
final class PeerKeys {
    private final SaKeyDerivation derivation;
    private final byte[] shared;
    private final byte[] ownPublic;
    private final byte[] peerPublic;
    private final int ownIp;
    private final int peerIp;
    private final AeadKind kind;
    private final SecureRandom random;

    /** @param ownIp and {@code peerIp}: this host's and the peer's PublicIPs, as ints */
    PeerKeys(SaKeyDerivation derivation, X25519Keys own, int ownIp, byte[] peerPublic, int peerIp, AeadKind kind,
            SecureRandom random) {
        this.derivation = derivation;
        this.shared = own.agree(peerPublic, Ipv4.format(peerIp));
        this.ownPublic = own.publicKey();
        this.peerPublic = peerPublic.clone();
        this.ownIp = ownIp;
        this.peerIp = peerIp;
        this.kind = kind;
        this.random = random;
    }

    byte[] peerPublic() {
        return peerPublic.clone();
    }

    SaKey outboundKey(int spi) {
        return derivation.derive(shared, ownPublic, peerPublic, ownIp, peerIp, spi);
    }

    SaKey inboundKey(int spi) {
        return derivation.derive(shared, peerPublic, ownPublic, peerIp, ownIp, spi);
    }

    OutboundSa outbound(int spi, long nowNanos) {
        return new OutboundSa(outboundKey(spi), kind, random.nextLong(), nowNanos);
    }

    InboundSa inbound(int spi, long nowNanos) {
        return new InboundSa(inboundKey(spi), kind, nowNanos);
    }
}
