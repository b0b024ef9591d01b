package io.weft.cli.doctor;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.weft.core.WeftException;
import java.io.PrintWriter;
import java.util.List;

/**
 * Prints doctor's checks: as a table, one line per check (result, check, subject, what was seen, and for a failure
 * the cause and the fix) and a last line that counts them; or as one JSON document
 * {@code {"passed":..., "failed":N, "checks":[{scope, subject, check, result, detail, cause, fix}]}}. Stateless.
 */
public final class DoctorReport {
    private DoctorReport() {
    }

    /** Exit code 1 when any check failed, else 0. */
    public static int exitCode(List<Check> checks) {
        return checks.stream().anyMatch(Check::failed) ? 1 : 0;
    }

    public static void table(List<Check> checks, PrintWriter out) {
        String row = "%-4s  %-12s  %-32s  %s%n";
        out.printf(row, "", "CHECK", "SUBJECT", "RESULT");
        for (Check c : checks) {
            String line = c.detail();
            if (c.failed()) {
                line += " -- cause: " + c.cause() + " -- fix: " + c.fix();
            }
            out.printf(row, switch (c.result()) {
                case ok -> "ok";
                case fail -> "FAIL";
                case skip -> "skip";
            }, c.name(), c.subject(), line);
        }
        long failed = checks.stream().filter(Check::failed).count();
        long skipped = checks.stream().filter(c -> c.result() == Check.Result.skip).count();
        out.println();
        out.println(failed == 0 ? "all " + (checks.size() - skipped) + " checks passed" + skippedNote(skipped)
                : failed + " of " + (checks.size() - skipped) + " checks failed" + skippedNote(skipped));
    }

    private static String skippedNote(long skipped) {
        return skipped == 0 ? "" : " (" + skipped + " skipped)";
    }

    public static void json(List<Check> checks, PrintWriter out) {
        ObjectMapper mapper = new ObjectMapper();
        ObjectNode root = mapper.createObjectNode();
        long failed = checks.stream().filter(Check::failed).count();
        root.put("passed", failed == 0);
        root.put("failed", failed);
        ArrayNode list = root.putArray("checks");
        for (Check c : checks) {
            ObjectNode n = list.addObject();
            n.put("scope", c.scope());
            n.put("subject", c.subject());
            n.put("check", c.name());
            n.put("result", c.result().name());
            n.put("detail", c.detail());
            if (c.failed()) {
                n.put("cause", c.cause());
                n.put("fix", c.fix());
            }
        }
        try {
            out.println(mapper.writerWithDefaultPrettyPrinter().writeValueAsString(root));
        } catch (JsonProcessingException e) {
            throw new WeftException("the report could not be printed as JSON: " + e.getOriginalMessage(), e);
        }
    }
}
