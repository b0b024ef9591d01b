package io.weft.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.testing.HostRequirements.Need;
import io.weft.linux.testing.Netns;
import io.weft.linux.testing.NetnsExtension;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * weft doctor's probe sockets against the kernel. {@link IcmpEcho}: the test's namespace holds {@code veth0} (198.18.0.1/24, MTU 1500), whose
 * peer {@code veth1} sits in a second namespace of this test (198.18.0.2/24) with MTU 1400, a link on the path smaller
 * than the sender's. {@link UdpPortProbe}: a port with no listener answers port unreachable, one with a listener does
 * not. The probes run in a child JVM inside the first namespace; both namespaces are always deleted.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class DoctorProbesNetnsTest {
    @RegisterExtension
    final NetnsExtension namespace = new NetnsExtension("weft-icmp", Need.root(), Need.iproute2());

    @Test
    void dfEchoesLargerThanALinkOnThePathGetNoAnswerAndAPortWithoutListenerIsRefused() throws Exception {
        Netns near = namespace.get();
        try (Netns far = Netns.create("weft-icmp-far-" + ProcessHandle.current().pid())) {
            near.ip("link", "add", "veth0", "type", "veth", "peer", "name", "veth1", "netns", far.name());
            near.ip("addr", "add", "198.18.0.1/24", "dev", "veth0");
            near.ip("link", "set", "veth0", "up");
            far.ip("addr", "add", "198.18.0.2/24", "dev", "veth1");
            far.ip("link", "set", "veth1", "mtu", "1400", "up");

            // veth lets a frame through up to the receiver's MTU plus a VLAN tag's 4 bytes: 1404 passes, 1405 not.
            Map<String, String> r = near.probe(DoctorProbesProbe.class, 60, "echo", "198.18.0.2", "84", "1400", "1404", "1405",
                    "1500", "1501");
            assertEquals("[84, 1400, 1404]", r.get("answered"),
                    "1405 and 1500 die on the smaller link (DF: not fragmented), 1501 is larger than veth0");
            assertEquals("true", r.get("reachable"));

            Map<String, String> nobody = near.probe(DoctorProbesProbe.class, 60, "echo", "198.18.0.9", "84");
            assertEquals("[]", nobody.get("answered"));
            assertEquals("false", nobody.get("reachable"));

            assertEquals("true", near.probe(DoctorProbesProbe.class, 60, "port", "198.18.0.2", "8285").get("refused"),
                    "nothing listens on 8285");
            Process listener = new ProcessBuilder("ip", "netns", "exec", far.name(), "python3", "-c",
                    "import socket, time\ns = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
                            + "s.bind(('0.0.0.0', 8285)); print('bound', flush=True); time.sleep(30)")
                    .redirectErrorStream(true).start();
            try {
                assertEquals("bound", new String(listener.getInputStream().readNBytes(5)));
                assertEquals("false", near.probe(DoctorProbesProbe.class, 60, "port", "198.18.0.2", "8285")
                        .get("refused"), "a listener takes the datagram and says nothing");
            } finally {
                listener.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }
}
