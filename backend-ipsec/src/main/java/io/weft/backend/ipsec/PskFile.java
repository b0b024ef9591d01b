package io.weft.backend.ipsec;

import io.weft.core.WeftException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * The host file that holds the cluster's pre-shared key ({@code --ipsec-psk-file}), so the PSK need not sit in
 * the network config that every etcd reader can read. The file must belong to the user weft runs as and have
 * mode 0600 or 0400 ({@link PrivateFiles}); its text, without trailing line ends, is the PSK, under the same
 * rules as {@code Backend.PSK}. Stateless.
 */
final class PskFile {
    static final String WHAT = "ipsec PSK file";
    /** The daemon flag that names the file; its environment form is {@code WEFT_IPSEC_PSK_FILE}. */
    static final String FLAG = "--ipsec-psk-file";

    private PskFile() {
    }

    static Psk read(Path file) {
        PrivateFiles.requireSecretFile(file, WHAT, "create it as the user weft runs as with 'openssl rand -base64 32 > "
                + file + "' and 'chmod 600 " + file + "'", "fix it with 'chown " + PrivateFiles.processUid() + " " + file
                + "' and 'chmod 600 " + file + "'");
        byte[] bytes = PrivateFiles.readNoFollow(file, WHAT);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new WeftException(WHAT + " " + file + " is not UTF-8 text: write the PSK as text, e.g. with"
                    + " 'openssl rand -base64 32 > " + file + "'", e);
        }
        text = text.replaceFirst("[\r\n]+$", "");
        if (text.isEmpty()) {
            throw new WeftException(WHAT + " " + file + " is empty: put a pre-shared key of at least " + Psk.MIN_BYTES
                    + " bytes in it, e.g. with 'openssl rand -base64 32 > " + file + "'");
        }
        return Psk.of(text, WHAT + " " + file);
    }
}
