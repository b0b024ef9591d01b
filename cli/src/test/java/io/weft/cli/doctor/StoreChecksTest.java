package io.weft.cli.doctor;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.weft.core.model.Ipv4Subnet;
import io.weft.core.model.Lease;
import io.weft.core.model.LeaseAttrs;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class StoreChecksTest {
    private static final Instant NOW = Instant.parse("2026-12-01T20:00:00Z");
    private static final Ipv4Subnet OWN = Ipv4Subnet.parse("100.96.1.0/24");
    private static final DaemonStatus STATUS = new DaemonStatus(OWN, "198.18.0.1", Ipv4Subnet.parse("100.96.0.0/16"),
            "udp", 1472, "eth0", 1500, true, Map.of(), Map.of());

    private static Lease lease(String subnet, String publicIp, Duration left) {
        return new Lease(Ipv4Subnet.parse(subnet), LeaseAttrs.of(publicIp, "udp"), NOW.plus(left));
    }

    private static String lines(List<Check> checks) {
        StringBuilder b = new StringBuilder();
        checks.forEach(c -> b.append(c.result()).append(' ').append(c.name()).append(": ").append(c.detail())
                .append(c.failed() ? " | " + c.cause() + " | " + c.fix() : "").append('\n'));
        return b.toString();
    }

    @Test
    void aHeldLeaseWithTimeLeftAndNoOtherClaimPasses() {
        assertEquals("ok lease: held by 198.18.0.1, expires in 1380 min\n"
                + "ok public-ip: no other lease claims 198.18.0.1\n",
                lines(StoreChecks.run(STATUS, List.of(lease("100.96.1.0/24", "198.18.0.1", Duration.ofHours(23)),
                        lease("100.96.2.0/24", "198.18.0.2", Duration.ofHours(1))), NOW)));
    }

    @Test
    void aMissingLeaseFails() {
        assertEquals("fail lease: the store holds no lease for this host's subnet 100.96.1.0/24 | it was revoked or"
                + " expired and the daemon has not taken one again yet | wait a few seconds and run doctor again; if"
                + " it stays, see the daemon's log, or restart it\n"
                + "ok public-ip: no other lease claims 198.18.0.1\n", lines(StoreChecks.run(STATUS, List.of(), NOW)));
    }

    @Test
    void aLeaseAboutToExpireFails() {
        assertEquals("fail lease: expires in 540 s, at 2026-12-01T20:09:00Z | the daemon is not renewing it | see"
                + " the daemon's log for renewal errors (etcd reachable? credentials?)\n",
                lines(StoreChecks.run(STATUS, List.of(lease("100.96.1.0/24", "198.18.0.1", Duration.ofMinutes(9))),
                        NOW).subList(0, 1)));
    }

    @Test
    void aLeaseAnotherHostTookFails() {
        assertEquals("fail lease: the lease for 100.96.1.0/24 has PublicIP 198.18.0.7, this host's is 198.18.0.1 |"
                + " another host took this subnet (a reservation or a lost lease) | restart weft here: it takes a"
                + " subnet of its own\n",
                lines(StoreChecks.run(STATUS, List.of(lease("100.96.1.0/24", "198.18.0.7", Duration.ofHours(2))),
                        NOW).subList(0, 1)));
    }

    @Test
    void aReservationNeverExpires() {
        Lease reserved = new Lease(OWN, LeaseAttrs.of("198.18.0.1", ""), null);
        assertEquals("ok lease: reserved for 198.18.0.1, never expires\n",
                lines(StoreChecks.run(STATUS, List.of(reserved), NOW).subList(0, 1)));
    }

    @Test
    void anotherLeaseClaimingThisHostsPublicIpFailsWithTheRevokeToRun() {
        assertEquals("fail public-ip: 100.96.9.0/24 also claims PublicIP 198.18.0.1 | peers send this host's traffic"
                + " by the wrong lease, or another host runs with the same --public-ip | revoke the stale lease: weft"
                + " leases revoke 100.96.9.0/24\n",
                lines(StoreChecks.run(STATUS, List.of(lease("100.96.1.0/24", "198.18.0.1", Duration.ofHours(23)),
                        lease("100.96.9.0/24", "198.18.0.1", Duration.ofHours(23))), NOW).subList(1, 2)));
    }
}
