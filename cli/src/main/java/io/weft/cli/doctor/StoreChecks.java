package io.weft.cli.doctor;

import io.weft.core.model.Lease;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Doctor's checks of the lease table as read from the store: this host's lease is there with its PublicIP and not
 * about to expire, and no other lease claims its PublicIP. Stateless.
 */
final class StoreChecks {
    /** A lease with less left than this is not being renewed: the daemon renews an hour before expiry by default. */
    static final Duration EXPIRY_MARGIN = Duration.ofMinutes(10);
    private static final String SCOPE = "store";

    private StoreChecks() {
    }

    /**
     * The checks of {@code status}'s lease among {@code leases}, read at {@code now}; this host's lease must come with
     * its expiration read.
     */
    static List<Check> run(DaemonStatus status, List<Lease> leases, Instant now) {
        String subject = "lease " + status.subnet();
        List<Check> checks = new ArrayList<>();
        Optional<Lease> own = leases.stream().filter(l -> l.subnet().equals(status.subnet())).findFirst();
        if (own.isEmpty()) {
            checks.add(Check.fail(SCOPE, subject, "lease", "the store holds no lease for this host's subnet "
                    + status.subnet(), "it was revoked or expired and the daemon has not taken one again yet",
                    "wait a few seconds and run doctor again; if it stays, see the daemon's log, or restart it"));
        } else if (!own.get().attrs().publicIp().equals(status.publicIp())) {
            checks.add(Check.fail(SCOPE, subject, "lease", "the lease for " + status.subnet() + " has PublicIP "
                            + own.get().attrs().publicIp() + ", this host's is " + status.publicIp(),
                    "another host took this subnet (a reservation or a lost lease)",
                    "restart weft here: it takes a subnet of its own"));
        } else if (own.get().isReservation()) {
            checks.add(Check.ok(SCOPE, subject, "lease", "reserved for " + status.publicIp() + ", never expires"));
        } else {
            Instant expiration = own.get().expiration().orElseThrow(() -> new IllegalStateException(
                    "the lease of " + status.subnet() + " was listed without its expiration"));
            Duration left = Duration.between(now, expiration);
            if (left.compareTo(EXPIRY_MARGIN) < 0) {
                checks.add(Check.fail(SCOPE, subject, "lease", "expires in " + Math.max(0, left.toSeconds()) + " s, at "
                                + expiration, "the daemon is not renewing it",
                        "see the daemon's log for renewal errors (etcd reachable? credentials?)"));
            } else {
                checks.add(Check.ok(SCOPE, subject, "lease", "held by " + status.publicIp() + ", expires in "
                        + left.toMinutes() + " min"));
            }
        }
        List<String> others = leases.stream().filter(l -> !l.subnet().equals(status.subnet())
                && l.attrs().publicIp().equals(status.publicIp())).map(l -> l.subnet().toString()).toList();
        if (!others.isEmpty()) {
            checks.add(Check.fail(SCOPE, subject, "public-ip", String.join(", ", others) + " also claim"
                            + (others.size() == 1 ? "s" : "") + " PublicIP " + status.publicIp(),
                    "peers send this host's traffic by the wrong lease, or another host runs with the same"
                            + " --public-ip",
                    "revoke the stale lease: weft leases revoke " + others.get(0)));
        } else {
            checks.add(Check.ok(SCOPE, subject, "public-ip", "no other lease claims " + status.publicIp()));
        }
        return checks;
    }
}
