package io.weft.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** The OFFLOADS, QUEUES and REPAIRED lines of the {@code weft status} table, from the daemon's /status JSON. */
class StatusTableTest {
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void offloadsAreListedOrNone() throws Exception {
        assertEquals("tso4,udp-gso,udp-gro", StatusCommand.list(json.readTree("[\"tso4\",\"udp-gso\",\"udp-gro\"]")));
        assertEquals("none", StatusCommand.list(json.readTree("[]")));
    }

    @Test
    void queuesShowTheirCountAndEachQueuesPackets() throws Exception {
        assertEquals("2 (tx 10/12, rx 9/13)", StatusCommand.queues(json.readTree(
                "[{\"txPackets\":10,\"rxPackets\":9},{\"txPackets\":12,\"rxPackets\":13}]")));
        assertEquals("-", StatusCommand.queues(json.readTree("[]")));
    }

    @Test
    void repairedShowsEachKindsCountOrNone() throws Exception {
        assertEquals("fdb 1, neighbour 0, route 2", StatusCommand.repaired(json.readTree(
                "{\"fdb\":1,\"neighbour\":0,\"route\":2}")));
        assertEquals("none", StatusCommand.repaired(json.readTree("{}")));
        assertEquals("none", StatusCommand.repaired(json.missingNode()));
    }
}
