package io.weft.backend.ipsec;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.Ipv4;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code weft ipsec sa} prints: this host's SAs, as a table or, with their keys, as Wireshark
 * {@code esp_sa} lines; and, as JSON with the senders' clocks judged, what {@code weft doctor} reads. Keys are derived again from the key file, the PSK (the host's PSK file when the caller
 * names one, else {@code Backend.PSK}) and the SA list the running backend keeps, so the command refuses to run
 * unless the caller can read the key file.
 * Reached through {@link IpsecBackendProvider#report}. Stateless.
 */
final class IpsecSaExport {
    private IpsecSaExport() {
    }

    /** One line per SA: direction, source, destination, SPI and whether it is current. No keys. */
    static List<String> table(BackendConfig backend, Optional<Path> stateDir, Optional<Path> pskFile) {
        Loaded l = load(backend, stateDir, pskFile);
        List<String> lines = new ArrayList<>();
        lines.add(String.format("%-4s %-15s %-15s %-10s %-7s %s", "DIR", "SOURCE", "DESTINATION", "SPI", "STATE",
                "CIPHER"));
        for (SaRecord sa : l.contents.sas()) {
            lines.add(String.format("%-4s %-15s %-15s %-10s %-7s AES-GCM-%d/ICV16", sa.outbound() ? "out" : "in",
                    sa.source(), sa.destination(), Esp.spiHex(sa.spi()), sa.current() ? "current" : "recent",
                    l.contents.keyBits()));
        }
        return lines;
    }

    /**
     * The SAs as one JSON document, for {@code weft doctor}: the allowed clock skew, and each SA with, for an inbound
     * one, how old its SPI (the sender's clock in seconds when it made the SA) is by this host's clock
     * {@code nowEpochSeconds}, and whether this host's rekey policy accepts that age (else the clocks differ by more
     * than the skew). No keys.
     */
    static List<String> json(BackendConfig backend, Optional<Path> stateDir, Optional<Path> pskFile,
            long nowEpochSeconds) {
        Loaded l = load(backend, stateDir, pskFile);
        RekeyPolicy policy = RekeyPolicy.of(IpsecSettings.rekey(backend));
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.put("clockSkewSeconds", policy.clockSkew().toSeconds());
        ArrayNode sas = root.putArray("sas");
        for (SaRecord sa : l.contents.sas()) {
            ObjectNode n = sas.addObject();
            n.put("direction", sa.outbound() ? "out" : "in");
            n.put("source", sa.source());
            n.put("destination", sa.destination());
            n.put("spi", Esp.spiHex(sa.spi()));
            n.put("current", sa.current());
            if (!sa.outbound()) {
                n.put("ageSeconds", nowEpochSeconds - Integer.toUnsignedLong(sa.spi()));
                n.put("senderClockOk", policy.freshSpi(sa.spi(), nowEpochSeconds));
            }
        }
        return List.of(root.toPrettyString());
    }

    /** One Wireshark {@code esp_sa} line per SA, with keys. */
    static List<String> wireshark(BackendConfig backend, Optional<Path> stateDir, Optional<Path> pskFile) {
        Loaded l = load(backend, stateDir, pskFile);
        SaKeyDerivation derivation = new SaKeyDerivation(l.psk, l.contents.keyBits());
        List<String> lines = new ArrayList<>();
        for (SaRecord sa : l.contents.sas()) {
            byte[] peer = X25519Keys.parsePublicKey(sa.peerPublicKey(), "SA list entry " + Esp.spiHex(sa.spi()));
            int source = Ipv4.parse("SA list Src", sa.source());
            int destination = Ipv4.parse("SA list Dst", sa.destination());
            PeerKeys keys = new PeerKeys(derivation, l.keys, sa.outbound() ? source : destination, peer,
                    sa.outbound() ? destination : source, AeadKind.DATA_PATH, new SecureRandom());
            SaKey key = sa.outbound() ? keys.outboundKey(sa.spi()) : keys.inboundKey(sa.spi());
            lines.add(WiresharkEspSa.line(sa.source(), sa.destination(), key));
        }
        return lines;
    }

    private record Loaded(Psk psk, X25519Keys keys, SaListFile.Contents contents) {
    }

    private static Loaded load(BackendConfig backend, Optional<Path> stateDir, Optional<Path> pskFile) {
        if (!"ipsec".equalsIgnoreCase(backend.type())) {
            throw new WeftException("Backend.Type is \"" + backend.type() + "\", not ipsec: this network has no"
                    + " SAs to show");
        }
        Path dir = IpsecSettings.stateDir(stateDir);
        Path keyFile = dir.resolve(KeyFile.FILE_NAME);
        X25519Keys keys = KeyFile.load(keyFile);
        KeyFile.requirePrivateDirectory(dir);
        Psk psk = IpsecSettings.psk(backend, pskFile);
        SaListFile.Contents contents = SaListFile.read(dir.resolve(SaListFile.FILE_NAME));
        if (!contents.publicKey().equals(keys.publicKeyBase64())) {
            throw new WeftException("ipsec SA list in " + dir + " was written for another key than " + keyFile
                    + ": wait for the daemon to rewrite it, or restart the daemon");
        }
        if (!contents.pskId().equals(SaListFile.pskId(psk))) {
            throw new WeftException(pskFile.map(f -> "the PSK in " + PskFile.WHAT + " " + f).orElse("Backend.PSK in"
                    + " the network config") + " differs from the PSK the running daemon uses: give this command the"
                    + " daemon's " + PskFile.FLAG + " FILE (or restart the daemon so both agree), then run it again");
        }
        return new Loaded(psk, keys, contents);
    }
}
