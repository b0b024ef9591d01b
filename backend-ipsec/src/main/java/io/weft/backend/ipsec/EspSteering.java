package io.weft.backend.ipsec;

import io.weft.linux.ClassicBpf;
import java.nio.ByteBuffer;

/**
 * Which queue's socket an ESP-in-UDP datagram is received on, when a host runs several. Between two hosts every
 * datagram has the same outer addresses and ports, so the kernel's own reuseport hash would hand all of a peer's
 * traffic to one socket (one receiving thread), and the payload is encrypted, so the udp backend's inner-flow
 * steering cannot see a flow. But each of the peer's sending queues has its own SA and names itself in the low
 * 2 bits of its SPIs ({@link Esp#queueOf}), the UDP payload's first 4 bytes: a classic BPF program
 * ({@link #program}) attached to the queues' reuseport group sends each datagram to socket
 * {@code (SPI & 3) % queues}, the socket {@link #queue} names in Java. So each inbound SA is opened by one thread,
 * and a peer's sending queues spread over this host's receiving ones (a peer with fewer queues than this host
 * reaches only as many of them).
 *
 * <p>A datagram shorter than 4 bytes (no SPI; nothing this backend sends) ends the program with 0: socket 0, where
 * it is dropped as malformed. So does an RFC 3948 non-ESP marker (SPI 0; weft has no IKE to send one). A UDP GSO
 * train is steered by its first datagram; its datagrams come from one sending queue, so they share it. A GRO
 * train that mixes queues lands whole on one socket: {@link EspTransform#open} locks the inbound state it opens
 * each datagram in, so that stays correct. Stateless.
 */
final class EspSteering {
    private EspSteering() {
    }

    /** The queue, from 0 to {@code queues - 1}, of the ESP payload at {@code off} (at least 4 bytes). */
    static int queue(ByteBuffer b, int off, int queues) {
        return Esp.queueOf(b.getInt(off)) % queues;
    }

    /** The reuseport program computing {@link #queue} on a datagram's payload, for {@code queues} sockets. */
    static ClassicBpf program(int queues) {
        if (queues < 2 || queues > Esp.SA_QUEUES) {
            throw new IllegalArgumentException("ESP steering needs 2 to " + Esp.SA_QUEUES + " queues, not " + queues);
        }
        return ClassicBpf.builder()
                .loadWord(0)                // 0 A = SPI (a datagram shorter than 4 bytes returns 0 here)
                .modulo(Esp.SA_QUEUES)      // 1 A = the sending queue, the SPI's low 2 bits
                .modulo(queues)             // 2
                .returnA()                  // 3
                .build();
    }
}
