package io.weft.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.weft.core.WeftException;
import io.weft.core.model.NetworkConfig;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NetworkConfigParserTest {

    /** Accepted configs and the values they resolve to: network | subnetLen | min | max | backend. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        // defaults for a /16: SubnetLen 24, Min the second subnet, Max the last
        "{\"Network\":\"10.3.0.0/16\"}                                    | 10.3.0.0/16 | 24 | 10.3.1.0/24 | 10.3.255.0/24 | udp",
        // keys ignore case
        "{\"network\":\"10.3.0.0/16\",\"subnetlen\":24}                   | 10.3.0.0/16 | 24 | 10.3.1.0/24 | 10.3.255.0/24 | udp",
        "{\"NETWORK\":\"10.3.0.0/16\",\"backend\":{\"type\":\"alloc\"}}    | 10.3.0.0/16 | 24 | 10.3.1.0/24 | 10.3.255.0/24 | alloc",
        // a /22 still defaults to /24
        "{\"Network\":\"10.5.0.0/22\"}                                    | 10.5.0.0/22 | 24 | 10.5.1.0/24 | 10.5.3.0/24 | udp",
        // longer than /22: prefix + 2
        "{\"Network\":\"10.5.0.0/23\"}                                    | 10.5.0.0/23 | 25 | 10.5.0.128/25 | 10.5.1.128/25 | udp",
        "{\"Network\":\"10.5.0.0/28\"}                                    | 10.5.0.0/28 | 30 | 10.5.0.4/30 | 10.5.0.12/30 | udp",
        // explicit SubnetLen at both bounds
        "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":18}                   | 10.5.0.0/16 | 18 | 10.5.64.0/18 | 10.5.192.0/18 | udp",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":30}                   | 10.5.0.0/16 | 30 | 10.5.0.4/30 | 10.5.255.252/30 | udp",
        // explicit Min and Max, Min == Max allowed
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.10.0\",\"SubnetMax\":\"10.5.20.0\"} | 10.5.0.0/16 | 24 | 10.5.10.0/24 | 10.5.20.0/24 | udp",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.0.0\",\"SubnetMax\":\"10.5.0.0\"}   | 10.5.0.0/16 | 24 | 10.5.0.0/24 | 10.5.0.0/24 | udp",
        // missing Backend or Type means udp; Backend null too
        "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Port\":8285}}        | 10.5.0.0/16 | 24 | 10.5.1.0/24 | 10.5.255.0/24 | udp",
        "{\"Network\":\"10.5.0.0/16\",\"Backend\":null}                   | 10.5.0.0/16 | 24 | 10.5.1.0/24 | 10.5.255.0/24 | udp",
        // unknown keys are ignored, as flannel does
        "{\"Network\":\"10.5.0.0/16\",\"EnableIPv6\":false}               | 10.5.0.0/16 | 24 | 10.5.1.0/24 | 10.5.255.0/24 | udp",
    })
    void acceptsAndFillsDefaults(String json, String network, int len, String min, String max, String backend) {
        NetworkConfig c = NetworkConfigParser.parse(json);
        assertEquals(network, c.network().toString());
        assertEquals(len, c.subnetLen());
        assertEquals(min, c.subnetMin().toString());
        assertEquals(max, c.subnetMax().toString());
        assertEquals(backend, c.backend().type());
    }

    /** Every rule, each rejection naming the field, the value and the fix. */
    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}                                                     | Network is missing: add a field such as \"Network\": \"10.5.0.0/16\"",
        "{\"Network\":null}                                     | Network is missing: add a field such as \"Network\": \"10.5.0.0/16\"",
        "{\"Network\":42}                                       | Network 42 is not a string: put it in double quotes",
        "{\"Network\":\"10.5.0.0\"}                             | Network \"10.5.0.0\" has no prefix length: write it as 10.5.0.0/16",
        "{\"Network\":\"10.5.1.0/16\"}                          | Network \"10.5.1.0/16\" has host bits set: use 10.5.0.0/16",
        "{\"Network\":\"10.5.0.0/29\"}                          | Network 10.5.0.0/29 is too small: its prefix must be /28 or shorter",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":31}         | SubnetLen 31 is too long: it must be at most 30",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":17}         | SubnetLen 17 is too short for Network 10.5.0.0/16: it must be at least 18",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":\"24\"}     | SubnetLen \"24\" is not a whole number: write it as, for example, 24",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetLen\":24.5}       | SubnetLen 24.5 is not a whole number: write it as, for example, 24",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.6.0.0\"} | SubnetMin 10.6.0.0 is outside Network 10.5.0.0/16: it must lie inside the Network",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMax\":\"10.4.0.0\"} | SubnetMax 10.4.0.0 is outside Network 10.5.0.0/16: it must lie inside the Network",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.1.7\"} | SubnetMin 10.5.1.7 is not on a /24 subnet boundary: use 10.5.1.0",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMax\":\"10.5.9.128\"} | SubnetMax 10.5.9.128 is not on a /24 subnet boundary: use 10.5.9.0",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"10.5.9.0\",\"SubnetMax\":\"10.5.8.0\"} | SubnetMin 10.5.9.0 is above SubnetMax 10.5.8.0: SubnetMin must not exceed SubnetMax",
        "{\"Network\":\"10.5.0.0/16\",\"SubnetMin\":\"ten\"}    | SubnetMin \"ten\" is not an IPv4 address: use dotted-quad form such as 10.5.0.0",
        "{\"Network\":\"10.5.0.0/16\",\"Backend\":\"udp\"}      | Backend \"udp\" is not a JSON object: write it as {\"Type\":\"udp\"}",
        "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":7}} | Backend.Type 7 is not a string: put it in double quotes",
        "{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"\"}} | Backend.Type \"\" is empty: name a backend such as udp",
        "{\"Network\":\"10.5.0.0/16\",\"network\":\"10.6.0.0/16\"} | field network appears twice (keys ignore case): keep one",
        "[1,2]                                                   | network config must be a JSON object, not array: give one such as {\"Network\":\"10.5.0.0/16\"}",
    })
    void rejectsNamingFieldValueAndFix(String json, String message) {
        WeftException e = assertThrows(WeftException.class, () -> NetworkConfigParser.parse(json));
        assertEquals(message, e.getMessage());
    }

    @Test
    void syntaxErrorNamesTheByteOffset() {
        WeftException e = assertThrows(WeftException.class,
                () -> NetworkConfigParser.parse("{\"Network\": \"10.5.0.0/16\",}"));
        assertEquals(true, e.getMessage().startsWith("network config is not valid JSON at byte offset 26: "),
                e.getMessage());
    }

    @Test
    void emptyInputIsRejected() {
        WeftException e = assertThrows(WeftException.class, () -> NetworkConfigParser.parse("  "));
        assertEquals("network config is empty: give a JSON object such as {\"Network\":\"10.5.0.0/16\"}", e.getMessage());
    }

    @Test
    void backendFieldsAreReadIgnoringCase() {
        NetworkConfig c = NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Type\":\"udp\",\"port\":9000}}");
        assertEquals(9000, c.backend().intField("Port", 8285, 1, 65535));
        assertEquals(8285, NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\"}").backend().intField("Port", 8285, 1, 65535));
        WeftException e = assertThrows(WeftException.class, () -> NetworkConfigParser
                .parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Port\":70000}}").backend().intField("Port", 8285, 1, 65535));
        assertEquals("Backend.Port 70000 is out of range: it must be from 1 to 65535", e.getMessage());
    }

    @Test
    void subnetCountAndIndexing() {
        NetworkConfig c = NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\"}");
        assertEquals(255, c.subnetCount());
        assertEquals("10.5.1.0/24", c.subnetAt(0).toString());
        assertEquals("10.5.255.0/24", c.subnetAt(254).toString());
        assertEquals(33, c.indexOf(c.subnetAt(33)));
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "{}                       | true",
        "{\"Offloads\":false}   | false",
        "{\"offloads\":true}    | true",
        "{\"Offloads\":null}    | true"})
    void booleanFieldsTakeTheirDefaultWhenAbsent(String backend, boolean expected) {
        NetworkConfig c = NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":" + backend + "}");
        assertEquals(expected, c.backend().booleanField("Offloads", true));
    }

    @Test
    void aBooleanFieldThatIsNotABooleanNamesItAndTheFix() {
        NetworkConfig c = NetworkConfigParser.parse("{\"Network\":\"10.5.0.0/16\",\"Backend\":{\"Offloads\":\"no\"}}");
        WeftException e = assertThrows(WeftException.class, () -> c.backend().booleanField("Offloads", true));
        assertEquals("Backend.Offloads \"no\" is not true or false: write it without quotes, for example true",
                e.getMessage());
    }
}
