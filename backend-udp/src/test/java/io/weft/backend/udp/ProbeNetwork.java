package io.weft.backend.udp;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.management.ThreadMXBean;
import io.weft.core.model.BackendConfig;
import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import io.weft.core.model.NetworkConfig;
import io.weft.core.spi.backend.Backend;
import io.weft.core.spi.backend.BackendContext;
import io.weft.core.spi.backend.ExternalInterface;
import io.weft.core.spi.backend.NetworkEvent;
import java.lang.management.ManagementFactory;
import java.time.Instant;
import java.util.List;

/**
 * The udp data path a probe runs in its namespace, built through the backend SPI as the daemon does: one
 * own subnet, one peer, {@link UdpNetwork#run()} on its own thread; plus the allocation of its forwarding
 * threads, which the probes measure. Owned by the probe's main thread.
 */
final class ProbeNetwork implements AutoCloseable {
    private final UdpNetwork net;
    private final Thread runner;

    /**
     * @param device   the TUN device name
     * @param external the underlay interface; its address is this host's PublicIP
     * @param own      this host's subnet
     * @param peer     the peer's subnet
     * @param peerIp   the peer's PublicIP
     */
    ProbeNetwork(String device, ExternalInterface external, Ipv4Subnet own, Ipv4Subnet peer, String peerIp) {
        ObjectNode fields = JsonNodeFactory.instance.objectNode().put("Type", "udp").put("Device", device);
        NetworkConfig config = new NetworkConfig(Ipv4Subnet.parse("100.96.0.0/16"), 24,
                Ipv4Subnet.parse("100.96.1.0/24"), Ipv4Subnet.parse("100.96.255.0/24"), new BackendConfig("udp", fields));
        Backend backend = new UdpBackendProvider().create(new BackendContext(external, external.address()));
        int mtu = backend.prepare(config).overlayMtu(external);
        Instant expiry = Instant.now().plusSeconds(3600);
        net = (UdpNetwork) backend.start(new Lease(own, LeaseAttrs.of(external.address(), "udp"), expiry), mtu);
        net.handleEvents(List.of(new NetworkEvent.PeerAdded(new Lease(peer, LeaseAttrs.of(peerIp, "udp"), expiry))));
        runner = new Thread(() -> {
            try {
                net.run();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "probe-network-run");
        runner.start();
    }

    UdpNetwork network() {
        return net;
    }

    /** What the forwarding threads have allocated so far, in bytes; fails unless there are two per queue. */
    static long forwardingAllocation() {
        ThreadMXBean mx = (ThreadMXBean) ManagementFactory.getThreadMXBean();
        long[] ids = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().startsWith("weft-udp-tun-to-udp") || t.getName().startsWith("weft-udp-udp-to-tun"))
                .mapToLong(Thread::getId).toArray();
        if (ids.length < 2 || ids.length % 2 != 0) {
            throw new IllegalStateException("expected two forwarding threads per queue, found " + ids.length);
        }
        long sum = 0;
        for (long a : mx.getThreadAllocatedBytes(ids)) {
            sum += a;
        }
        return sum;
    }

    /** Closes the network and waits (boundedly) for its run thread. */
    @Override
    public void close() throws InterruptedException {
        net.close();
        runner.join(5000);
    }
}
