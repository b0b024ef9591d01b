package io.weft.backend.ipsec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The list of this host's SAs that the running backend keeps next to its key file, for
 * {@code weft ipsec sa}. It holds no key: SPIs, addresses, public keys, the key size and a PSK fingerprint
 * (a truncated SHA-256 of a label and the PSK) that tells the reader whether its PSK is the daemon's.
 * Written to a temp file (mode 0600) and renamed over the old one. Stateless; safe from any thread.
 *
 * <pre>
 * {"PublicKey":"&lt;base64&gt;","KeyBits":256,"PskId":"&lt;hex&gt;","SAs":[{"Direction":"out",
 *  "Src":"198.18.0.1","Dst":"198.18.0.2","SPI":"0x69b2c3d4","PeerPublicKey":"&lt;base64&gt;","Current":true}]}
 * </pre>
 */
final class SaListFile {
    static final String FILE_NAME = "ipsec-sas.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    /** The file's contents. Immutable. */
    record Contents(String publicKey, int keyBits, String pskId, List<SaRecord> sas) {
        Contents {
            sas = List.copyOf(sas);
        }
    }

    private SaListFile() {
    }

    static String pskId(Psk psk) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update("weft ipsec psk id".getBytes(StandardCharsets.US_ASCII));
            byte[] d = sha.digest(psk.bytes());
            return HexFormat.of().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static void write(Path file, Contents contents) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("PublicKey", contents.publicKey());
        root.put("KeyBits", contents.keyBits());
        root.put("PskId", contents.pskId());
        ArrayNode list = root.putArray("SAs");
        for (SaRecord sa : contents.sas()) {
            ObjectNode n = list.addObject();
            n.put("Direction", sa.outbound() ? "out" : "in");
            n.put("Src", sa.source());
            n.put("Dst", sa.destination());
            n.put("SPI", Esp.spiHex(sa.spi()));
            n.put("PeerPublicKey", sa.peerPublicKey());
            n.put("Current", sa.current());
        }
        try {
            Path dir = file.toAbsolutePath().getParent();
            Path temp = Files.createTempFile(dir, ".ipsec-sas", ".tmp",
                    PosixFilePermissions.asFileAttribute(KeyFile.MODE_0600));
            try {
                Files.write(temp, MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root));
                Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (IOException e) {
            throw new WeftException("cannot write the ipsec SA list " + file + ": " + e, e);
        }
    }

    static Contents read(Path file) {
        JsonNode root;
        try {
            root = MAPPER.readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            throw new WeftException("ipsec SA list " + file + " does not exist: the ipsec backend writes it once"
                    + " it runs; start the daemon, or set " + IpsecSettings.STATE_DIR_ENV + " to its directory", e);
        } catch (IOException e) {
            throw new WeftException("cannot read the ipsec SA list " + file + ": " + e.getMessage(), e);
        }
        try {
            List<SaRecord> sas = new ArrayList<>();
            for (JsonNode n : root.withArray("SAs")) {
                sas.add(new SaRecord("out".equals(n.path("Direction").asText()), n.path("Src").asText(),
                        n.path("Dst").asText(), Integer.parseUnsignedInt(n.path("SPI").asText().substring(2), 16),
                        n.path("PeerPublicKey").asText(), n.path("Current").asBoolean()));
            }
            return new Contents(root.path("PublicKey").asText(), root.path("KeyBits").asInt(),
                    root.path("PskId").asText(), sas);
        } catch (RuntimeException e) {
            throw new WeftException("ipsec SA list " + file + " is damaged (" + e.getMessage() + "): delete it;"
                    + " the daemon rewrites it on its next SA change", e);
        }
    }
}
