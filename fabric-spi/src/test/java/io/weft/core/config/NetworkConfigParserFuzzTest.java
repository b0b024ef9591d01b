package io.weft.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.weft.core.WeftException;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.NetworkConfig;
import io.weft.core.testing.UserMessages;

/**
 * Fuzz target for {@link NetworkConfigParser}: whatever an etcd writer stores as the network config. Seeds:
 * {@code NetworkConfigParserFuzzTestInputs/parse/}, flannel's and weft's configs and the parser's edge cases.
 */
class NetworkConfigParserFuzzTest {

    /**
     * Property, for any bytes: parsing either returns a config that holds its invariants (a Network of /28 or
     * shorter; a SubnetLen from Network + 2 to 30; SubnetMin and SubnetMax of that length inside the Network,
     * Min not above Max, so at least one subnet fits; a non-blank Backend.Type), or throws a
     * {@link WeftException} with a one-line message; nothing else escapes. The Backend accessors the backends
     * use (whole number, true/false, text fields) behave the same on the parsed section.
     *
     * <p>Input: the config bytes (UTF-8 JSON when valid).
     */
    @DictionaryEntries({"\"Network\"", "\"SubnetLen\"", "\"SubnetMin\"", "\"SubnetMax\"", "\"Backend\"",
        "\"Type\"", "\"Port\"", "\"PSK\"", "\"Offloads\"", "\"Queues\"", "\"10.5.0.0/16\"", "\"10.5.1.0\"",
        "\\u0000", "\\n", "null", "true"})
    @FuzzTest
    void parse(byte[] json) {
        NetworkConfig c;
        try {
            c = NetworkConfigParser.parse(json);
        } catch (WeftException e) {
            UserMessages.assertOneLine(e.getMessage());
            return;
        }
        int prefix = c.network().prefixLength();
        assertTrue(prefix <= NetworkConfigParser.MAX_NETWORK_PREFIX, "Network " + c.network());
        assertTrue(c.subnetLen() >= prefix + 2 && c.subnetLen() <= NetworkConfigParser.MAX_SUBNET_LEN,
                "SubnetLen " + c.subnetLen());
        assertEquals(c.subnetLen(), c.subnetMin().prefixLength());
        assertEquals(c.subnetLen(), c.subnetMax().prefixLength());
        assertTrue(c.fits(c.subnetMin()) && c.fits(c.subnetMax()), c.subnetMin() + ".." + c.subnetMax());
        assertTrue(c.subnetCount() >= 1);
        assertEquals(c.subnetMax(), c.subnetAt(c.subnetCount() - 1));
        assertFalse(c.backend().type().isBlank());
        BackendConfig backend = c.backend();
        for (String field : new String[] {"Port", "Queues", "MTU"}) {
            try {
                int v = backend.intField(field, 7, 1, 65_535);
                assertTrue(v >= 1 && v <= 65_535);
            } catch (WeftException e) {
                UserMessages.assertOneLine(e.getMessage());
            }
        }
        for (String field : new String[] {"Offloads", "DirectRouting"}) {
            try {
                backend.booleanField(field, true);
            } catch (WeftException e) {
                UserMessages.assertOneLine(e.getMessage());
            }
        }
        for (String field : new String[] {"PSK", "Type"}) {
            try {
                backend.textField(field);
            } catch (WeftException e) {
                UserMessages.assertOneLine(e.getMessage());
            }
        }
    }
}
