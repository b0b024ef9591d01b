package io.weft.backend.udp;

import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.LeaseAttrs;
import java.nio.ByteBuffer;

/** Builds IPv4 test packets and route table entries. */
final class Packets {
    private Packets() {
    }

    static int ip(String dotted) {
        return Ipv4.parse("test", dotted);
    }

    /** A valid IPv4 packet of {@code total} bytes (header 20 + zero payload) with a correct checksum. */
    static ByteBuffer ipv4(String source, String destination, int ttl, int protocol, int total) {
        ByteBuffer b = ByteBuffer.allocate(Math.max(total, 20));
        b.put(0, (byte) 0x45);
        b.putShort(2, (short) total);
        b.putShort(4, (short) 0x1234);
        b.put(8, (byte) ttl);
        b.put(9, (byte) protocol);
        b.putInt(12, ip(source));
        b.putInt(16, ip(destination));
        b.putShort(10, (short) Ipv4Packet.checksum(b, 0, 20));
        return b;
    }

    /** A udp peer's route table entry with fresh counters and no transform state. */
    static RouteTable.Peer peer(String subnet, String publicIp) {
        return new RouteTable.Peer(Ipv4Subnet.parse(subnet), LeaseAttrs.of(publicIp, "udp"), new PeerCounters(), null);
    }
}
