package io.weft.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.testing.UserMessages;
import java.nio.charset.StandardCharsets;

/**
 * Fuzz target for {@link LeaseJson}: whatever an etcd writer stores as a lease's value. Seeds:
 * {@code LeaseJsonFuzzTestInputs/decode/}, leases as weft and flannel's backends write them, and broken ones.
 */
class LeaseJsonFuzzTest {

    /**
     * Property, for any text: decoding either gives attributes with a valid dotted-quad PublicIP, which encode
     * to flannel's form and decode back to the same attributes (encoding again gives the same text), or throws
     * a {@link WeftException} with a one-line message; nothing else escapes.
     *
     * <p>Input: the lease value, as UTF-8.
     */
    @DictionaryEntries({"\"PublicIP\"", "\"PublicIPv6\"", "\"BackendType\"", "\"BackendData\"",
        "\"PublicKey\"", "\"198.18.0.2\"", "\"ipsec\"", "\\u0000", "\\n", "null", "1e400"})
    @FuzzTest
    void decode(byte[] data) {
        String json = new String(data, StandardCharsets.UTF_8);
        LeaseAttrs attrs;
        try {
            attrs = LeaseJson.decode("100.96.2.0-24", json);
        } catch (WeftException e) {
            UserMessages.assertOneLine(e.getMessage());
            return;
        }
        assertEquals(attrs.publicIp(), Ipv4.format(Ipv4.parse("PublicIP", attrs.publicIp())));
        String encoded = LeaseJson.encode(attrs);
        LeaseAttrs again = LeaseJson.decode("100.96.2.0-24", encoded);
        assertEquals(attrs.publicIp(), again.publicIp());
        assertEquals(attrs.publicIpv6(), again.publicIpv6());
        assertEquals(attrs.backendType(), again.backendType());
        assertEquals(encoded, LeaseJson.encode(again), "encode(decode(encode(x))) differs from encode(x)");
    }
}
