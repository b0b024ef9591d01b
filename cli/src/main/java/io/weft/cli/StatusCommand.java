package io.weft.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.weft.core.WeftException;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.StringJoiner;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code weft status}: this host's lease and peers, read from the running daemon's local endpoint. */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = {"Show this host's lease, MTU, backend and peers with their packet counters.",
            "For the vxlan and host-gw backends, STATE says whether each peer's route, ARP and FDB",
            "entries are in the kernel, and REPAIRED counts the entries put back so far."})
final class StatusCommand implements Callable<Integer> {
    @Mixin
    DaemonEndpoint endpoint;

    @Mixin
    OutputFormatMixin output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws InterruptedException {
        String url = endpoint.url("/status");
        String body = endpoint.get("/status");
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            out.println(body.strip());
            return 0;
        }
        JsonNode s;
        try {
            s = new ObjectMapper().readTree(body);
        } catch (IOException e) {
            throw new WeftException("the daemon at " + url + " answered something that is not status JSON: " + e.getMessage());
        }
        out.printf("%-12s %s%n", "SUBNET", text(s, "subnet"));
        out.printf("%-12s %s%n", "PUBLIC-IP", text(s, "publicIP"));
        out.printf("%-12s %s%n", "NETWORK", text(s, "network"));
        out.printf("%-12s %s%n", "BACKEND", text(s, "backend"));
        out.printf("%-12s %d%n", "MTU", s.path("mtu").asInt());
        out.printf("%-12s %s%n", "EXPIRES", s.path("reserved").asBoolean() ? "never (reserved)" : text(s, "expiration"));
        out.printf("%-12s %s%n", "READY", s.path("ready").asBoolean() ? "yes" : "no");
        out.printf("%-12s %s%n", "OFFLOADS", list(s.path("offloads")));
        out.printf("%-12s %s%n", "QUEUES", queues(s.path("queues")));
        out.printf("%-12s %s%n", "REPAIRED", repaired(s.path("repaired")));
        out.println();
        String row = "%-18s %-15s %10s %10s %12s %12s %11s  %-24s  %s%n";
        out.printf(row, "PEER", "PUBLIC-IP", "TX-PKTS", "RX-PKTS", "TX-BYTES", "RX-BYTES", "KEY-CHANGES",
                "LAST-HEARD", "STATE");
        for (JsonNode p : s.path("peers")) {
            out.printf(row, text(p, "subnet"), text(p, "publicIP"), p.path("txPackets").asLong(),
                    p.path("rxPackets").asLong(), p.path("txBytes").asLong(), p.path("rxBytes").asLong(),
                    p.path("keyChanges").asLong(), p.path("lastHeard").isNull() ? "never" : text(p, "lastHeard"),
                    text(p, "state"));
        }
        return 0;
    }

    /** {@code tso4,udp-gso,...}, or {@code none}. */
    static String list(JsonNode array) {
        StringJoiner j = new StringJoiner(",");
        array.forEach(v -> j.add(v.asText()));
        return j.length() == 0 ? "none" : j.toString();
    }

    /** {@code 2 (tx 10/12, rx 9/13)}: how many queues and the packets each moved, or {@code -}. */
    static String queues(JsonNode array) {
        if (array.size() == 0) {
            return "-";
        }
        StringJoiner tx = new StringJoiner("/");
        StringJoiner rx = new StringJoiner("/");
        array.forEach(q -> {
            tx.add(Long.toString(q.path("txPackets").asLong()));
            rx.add(Long.toString(q.path("rxPackets").asLong()));
        });
        return array.size() + " (tx " + tx + ", rx " + rx + ")";
    }

    /** {@code fdb 1, route 2}: kernel entries put back, by kind, or {@code none}. */
    static String repaired(JsonNode object) {
        StringJoiner j = new StringJoiner(", ");
        object.fields().forEachRemaining(e -> j.add(e.getKey() + " " + e.getValue().asLong()));
        return j.length() == 0 ? "none" : j.toString();
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isMissingNode() || v.isNull() ? "-" : v.asText();
    }
}
