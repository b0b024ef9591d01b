package io.weft.cli.doctor;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Doctor's ipsec check of each peer, from the ipsec backend's SA report ({@code weft ipsec sa}'s JSON form: the SAs the
 * running daemon keeps, each inbound one with its sender's clock judged against the allowed skew) and this host's ESP
 * drop counters: a current SA each way, and the peer's clock, by the SPI of its SA, within the skew. Stateless.
 */
final class IpsecChecks {
    private static final String SCOPE = "peer";

    private IpsecChecks() {
    }

    /**
     * @param report the SA report, or empty with why it could not be read
     * @param drops  this host's drops by reason, from its status
     */
    static List<Check> run(List<Peer> peers, JsonNode report, Map<String, Long> drops) {
        List<Check> checks = new ArrayList<>();
        long skew = report.path("clockSkewSeconds").asLong();
        for (Peer p : peers) {
            Optional<JsonNode> out = current(report, "out", "destination", p.publicIp());
            Optional<JsonNode> in = current(report, "in", "source", p.publicIp());
            if (out.isEmpty()) {
                checks.add(Check.fail(SCOPE, p.subject(), "ipsec", "no current outbound SA to " + p.publicIp(),
                        "this host has no session with the peer: its lease has no usable key, or it shares its key with"
                                + " another host (esp-no-sa drops: " + drops.getOrDefault("esp-no-sa", 0L)
                                + ", esp-duplicate-key: " + drops.getOrDefault("esp-duplicate-key", 0L) + ")",
                        "see the daemon's log for ipsec warnings, and weft status for the peer's KEY-CHANGES"));
            } else if (in.isEmpty()) {
                checks.add(Check.fail(SCOPE, p.subject(), "ipsec", "outbound SA " + out.get().path("spi").asText()
                                + " but no current inbound SA from " + p.publicIp(),
                        "the peer has not sent this host anything it accepts: the PSKs differ (esp-auth-failed drops: "
                                + drops.getOrDefault("esp-auth-failed", 0L) + "), its clock is more than " + skew
                                + " s off this host's (esp-expired-sa: " + drops.getOrDefault("esp-expired-sa", 0L)
                                + ", esp-unknown-spi: " + drops.getOrDefault("esp-unknown-spi", 0L)
                                + "), or it does not know this host's lease",
                        "give both hosts the same PSK, keep their clocks in sync (NTP), and check that weft status on"
                                + " the peer lists this host"));
            } else {
                long age = in.get().path("ageSeconds").asLong();
                String sas = "SAs both ways: out " + out.get().path("spi").asText() + ", in "
                        + in.get().path("spi").asText();
                if (!in.get().path("senderClockOk").asBoolean()) {
                    checks.add(Check.fail(SCOPE, p.subject(), "ipsec", sas + ", whose SPI says the peer made it "
                                    + when(age) + " by this host's clock",
                            "the clocks of this host and the peer differ by more than the " + skew + " s allowed",
                            "keep both clocks in sync (NTP)"));
                } else {
                    checks.add(Check.ok(SCOPE, p.subject(), "ipsec", sas + "; the peer made its SA " + when(age)
                            + " by this host's clock, within the " + skew + " s skew allowed"));
                }
            }
        }
        return checks;
    }

    private static String when(long age) {
        return age >= 0 ? age + " s ago" : -age + " s in the future";
    }

    private static Optional<JsonNode> current(JsonNode report, String direction, String field, String address) {
        for (JsonNode sa : report.path("sas")) {
            if (sa.path("current").asBoolean() && direction.equals(sa.path("direction").asText())
                    && address.equals(sa.path(field).asText())) {
                return Optional.of(sa);
            }
        }
        return Optional.empty();
    }
}
