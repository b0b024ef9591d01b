package io.weft.backend.udp;

/** Why the data path dropped a packet; each has its own counter in {@link DataPathStats}. */
enum DropReason {
    /** UDP: the datagram's source is not a known peer's PublicIP. */
    UNKNOWN_PEER("unknown-peer"),
    /**
     * UDP: the datagram comes from a peer's PublicIP but not from the backend's Port, which every host binds and
     * sends from (flannel too): another process on that address, or a port-rewriting NAT.
     */
    WRONG_PORT("wrong-port"),
    /** UDP: shorter than an IPv4 header. */
    SHORT("short"),
    /** UDP: the IP version is not 4. */
    BAD_VERSION("bad-version"),
    /** UDP: the IHL is below 5 or beyond the datagram. */
    BAD_HEADER_LENGTH("bad-header-length"),
    /** UDP: the total length is below the header length or beyond the datagram. */
    BAD_TOTAL_LENGTH("bad-total-length"),
    /**
     * UDP: the inner source is not an address the sending peer holds a lease for (the longest-prefix route of
     * the source does not lead to the sender's PublicIP), or it lies in this host's subnet or outside the
     * Network. Like WireGuard's AllowedIPs check.
     */
    SPOOFED_SOURCE("spoofed-source"),
    /** UDP: the inner destination is not in this host's subnet. */
    NOT_OUR_SUBNET("not-our-subnet"),
    /** TUN: not an IPv4 packet (or shorter than its header). */
    TUN_NOT_IPV4("tun-not-ipv4"),
    /** TUN: the destination is outside the overlay Network. */
    NO_ROUTE("no-route"),
    /** TUN: the destination is in the Network but no peer holds it; ICMP Net Unreachable goes back. */
    NET_UNREACHABLE("net-unreachable"),
    /** TUN: TTL 1 or 0; ICMP Time Exceeded goes back. */
    TTL_EXCEEDED("ttl-exceeded"),
    /** UDP: sendmmsg failed or timed out (peer unreachable, buffer full). */
    SEND_FAILED("send-failed"),
    /** UDP: recvmmsg failed with an error other than "no data". */
    RECEIVE_FAILED("receive-failed"),
    /** TUN: the write into the device failed. */
    TUN_WRITE_FAILED("tun-write-failed"),
    /** TUN: a super-packet or partial checksum the vnet header describes does not add up. */
    BAD_OFFLOAD("bad-offload");

    private final String key;

    DropReason(String key) {
        this.key = key;
    }

    /** The name used in logs, e.g. {@code unknown-peer}. */
    String key() {
        return key;
    }
}
