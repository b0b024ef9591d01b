package io.weft.cli.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.model.Ipv4Subnet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class IpsecChecksTest {
    private static final Peer PEER = new Peer(Ipv4Subnet.parse("100.96.2.0/24"), "198.18.0.2");

    private static Check check(String sas, Map<String, Long> drops) throws Exception {
        JsonNode report = new ObjectMapper().readTree("{\"clockSkewSeconds\":120,\"sas\":[" + sas + "]}");
        List<Check> checks = IpsecChecks.run(List.of(PEER), report, drops);
        assertEquals(1, checks.size());
        return checks.get(0);
    }

    private static String out(String spi) {
        return "{\"direction\":\"out\",\"source\":\"198.18.0.1\",\"destination\":\"198.18.0.2\",\"spi\":\"" + spi
                + "\",\"current\":true}";
    }

    private static String in(String spi, long age, boolean ok) {
        return "{\"direction\":\"in\",\"source\":\"198.18.0.2\",\"destination\":\"198.18.0.1\",\"spi\":\"" + spi
                + "\",\"current\":true,\"ageSeconds\":" + age + ",\"senderClockOk\":" + ok + "}";
    }

    @Test
    void saBothWaysWithAClockWithinTheSkewPasses() throws Exception {
        Check c = check(out("0x69000001") + "," + in("0x69000002", 42, true), Map.of());
        assertEquals(Check.Result.ok, c.result());
        assertEquals("SAs both ways: out 0x69000001, in 0x69000002; the peer made its SA 42 s ago by this host's"
                + " clock, within the 120 s skew allowed", c.detail());
    }

    @Test
    void aPeerClockAheadByMoreThanTheSkewFails() throws Exception {
        Check c = check(out("0x69000001") + "," + in("0x69000002", -200, false), Map.of());
        assertEquals(Check.Result.fail, c.result());
        assertEquals("the clocks of this host and the peer differ by more than the 120 s allowed", c.cause());
        assertEquals("SAs both ways: out 0x69000001, in 0x69000002, whose SPI says the peer made it 200 s in the"
                + " future by this host's clock", c.detail());
    }

    @Test
    void noInboundSaNamesThePskTheClockAndTheDropsThatTellThemApart() throws Exception {
        Check c = check(out("0x69000001"), Map.of("esp-auth-failed", 7L));
        assertEquals(Check.Result.fail, c.result());
        assertEquals("the peer has not sent this host anything it accepts: the PSKs differ (esp-auth-failed drops: 7),"
                + " its clock is more than 120 s off this host's (esp-expired-sa: 0, esp-unknown-spi: 0), or it does"
                + " not know this host's lease", c.cause());
    }

    @Test
    void noOutboundSaFails() throws Exception {
        Check c = check(in("0x69000002", 1, true), Map.of());
        assertEquals("no current outbound SA to 198.18.0.2", c.detail());
    }
}
