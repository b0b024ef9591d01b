package io.weft.backend.udp;

import io.weft.linux.ClassicBpf;
import java.nio.ByteBuffer;

/**
 * Which queue an inner flow belongs to, the same on both sides of the host. Between two hosts every datagram
 * has the same outer addresses and ports, so the kernel's own reuseport hash would hand all of a peer's
 * traffic to one socket (one receiving thread). Instead a classic BPF program ({@link #program}) attached to
 * the queues' reuseport group reads the inner IPv4 header of each datagram and picks the socket
 * {@link #queue} picks in Java, and the receiving thread writes the flow into that same TUN queue, so the
 * device sends the flow's replies out of it too: one flow, one queue, in both directions.
 *
 * <p>The hash: inner source XOR destination, XOR the first 4 bytes after the IP header (the ports) for TCP and
 * UDP; its high half folded onto its low half (the source port sits in the high half, and Linux hands out even
 * ports to connecting sockets, so without the fold the port's varying bits would never reach the result); times
 * the golden-ratio constant, top 16 bits, modulo the queues. A UDP GSO train (one sender's
 * super-packet, so one inner flow) is steered by its first datagram. A datagram too short for the program's
 * reads goes to queue 0. Not for payloads that are not plain IPv4 (ESP): their bytes would scatter one flow
 * over every queue. Stateless.
 */
final class FlowSteering {
    private static final int GOLDEN = 0x9E3779B1;
    private static final int PROTOCOL = 9;
    private static final int SOURCE = 12;
    private static final int DESTINATION = 16;

    private FlowSteering() {
    }

    /** The queue, from 0 to {@code queues - 1}, of the IPv4 packet at {@code off}. */
    static int queue(ByteBuffer b, int off, int queues) {
        if (queues == 1) {
            return 0;
        }
        int h = Ipv4Packet.source(b, off) ^ Ipv4Packet.destination(b, off);
        int protocol = Ipv4Packet.protocol(b, off);
        if (protocol == Checksums.PROTOCOL_TCP || protocol == Checksums.PROTOCOL_UDP) {
            h ^= b.getInt(off + Ipv4Packet.headerLength(b, off));
        }
        h ^= h >>> 16;
        h *= GOLDEN;
        return (h >>> 16) % queues;
    }

    /** The reuseport program computing {@link #queue} on a datagram's payload, for {@code queues} sockets. */
    static ClassicBpf program(int queues) {
        if (queues < 2) {
            throw new IllegalArgumentException("steering needs at least 2 queues, not " + queues);
        }
        return ClassicBpf.builder()
                .loadWord(SOURCE)                     // 0  A = source
                .store(0)                             // 1  M0 = source
                .loadWord(DESTINATION)                // 2  A = destination
                .loadScratchIntoX(0)                  // 3  X = source
                .xorX()                               // 4  A = source ^ destination
                .store(0)                             // 5  M0 = h
                .loadByte(PROTOCOL)                   // 6  A = protocol
                .jumpIfEqual(Checksums.PROTOCOL_TCP, 1, 0)  // 7  TCP: to 9
                .jumpIfEqual(Checksums.PROTOCOL_UDP, 0, 5)  // 8  UDP: to 9, else to 14
                .loadIpHeaderLengthIntoX(0)           // 9  X = IP header length
                .loadWordAtX(0)                       // 10 A = ports
                .loadScratchIntoX(0)                  // 11 X = h
                .xorX()                               // 12 A = h ^ ports
                .store(0)                             // 13 M0 = h
                .loadScratch(0)                       // 14 A = h
                .shiftRight(16)                       // 15
                .loadScratchIntoX(0)                  // 16 X = h
                .xorX()                               // 17 A = h ^ (h >>> 16)
                .multiply(GOLDEN)                     // 18
                .shiftRight(16)                       // 19
                .modulo(queues)                       // 20
                .returnA()                            // 21
                .build();
    }
}
