package io.weft.cli.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;

class DoctorReportTest {
    private static final List<Check> CHECKS = List.of(
            Check.ok("host", "this host", "ip_forward", "net.ipv4.ip_forward is 1"),
            Check.skip("host", "this host", "forward", "cannot read the FORWARD chain"),
            Check.fail("peer", "100.96.2.0/24 (198.18.0.2)", "overlay", "no echo", "the cause", "the fix"));

    @Test
    void theTableHasOneLinePerCheckWithCauseAndFixForAFailureAndACount() {
        StringWriter out = new StringWriter();
        DoctorReport.table(CHECKS, new PrintWriter(out, true));
        assertEquals(String.join("\n",
                "      CHECK         SUBJECT                           RESULT",
                "ok    ip_forward    this host                         net.ipv4.ip_forward is 1",
                "skip  forward       this host                         cannot read the FORWARD chain",
                "FAIL  overlay       100.96.2.0/24 (198.18.0.2)        no echo -- cause: the cause -- fix: the fix",
                "",
                "1 of 2 checks failed (1 skipped)", ""), out.toString());
        assertEquals(1, DoctorReport.exitCode(CHECKS));
        assertEquals(0, DoctorReport.exitCode(CHECKS.subList(0, 2)));
    }

    @Test
    void jsonHasTheCountsAndEachCheck() {
        StringWriter out = new StringWriter();
        DoctorReport.json(CHECKS.subList(0, 1), new PrintWriter(out, true));
        assertEquals("{\n  \"passed\" : true,\n  \"failed\" : 0,\n  \"checks\" : [ {\n    \"scope\" : \"host\",\n"
                + "    \"subject\" : \"this host\",\n    \"check\" : \"ip_forward\",\n    \"result\" : \"ok\",\n"
                + "    \"detail\" : \"net.ipv4.ip_forward is 1\"\n  } ]\n}\n", out.toString());
    }
}
