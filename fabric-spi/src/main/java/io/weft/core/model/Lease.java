package io.weft.core.model;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * A host's claim on one subnet, as read from a store. A lease that never expires is a reservation: an
 * admin pinned the subnet to a PublicIP. Immutable.
 *
 * @param subnet   the subnet held
 * @param attrs    what the holder published
 * @param expiry   whether and when the lease lapses unless renewed: never (a reservation), at an instant, or at an
 *                 instant the store was not asked for (a listed or watched lease, see
 *                 {@link io.weft.core.spi.store.Store#listLeases(java.util.function.Predicate)})
 * @param revision the store revision that last wrote the lease (etcd's {@code mod_revision}), which every
 *                 update compares so that it changes only the very lease it read; 0 for a lease not read
 *                 from a store, which no update matches
 */
public record Lease(Ipv4Subnet subnet, LeaseAttrs attrs, Expiry expiry, long revision) {

    /**
     * When a lease lapses. The instant is on the wall clock, so for showing only: lease upkeep times itself by the
     * TTL it asked for.
     */
    public sealed interface Expiry {
        /** A reservation: never lapses. */
        Expiry NEVER = new Never();
        /** Lapses, at a time not read from the store: reading it costs etcd a query per lease. */
        Expiry UNREAD = new Unread();

        /** Lapses at {@code instant}, or never when it is null. */
        static Expiry of(Instant instant) {
            return instant == null ? NEVER : new At(instant);
        }

        record Never() implements Expiry {
        }

        record Unread() implements Expiry {
        }

        record At(Instant instant) implements Expiry {
            public At {
                Objects.requireNonNull(instant, "instant is null");
            }
        }
    }

    public Lease {
        Objects.requireNonNull(subnet, "subnet is null");
        Objects.requireNonNull(attrs, "attrs is null");
        Objects.requireNonNull(expiry, "expiry is null");
        if (revision < 0) {
            throw new IllegalArgumentException("revision " + revision + " is negative");
        }
    }

    /** A lease whose expiration is known: {@code expiration}, or never when it is null (a reservation). */
    public Lease(Ipv4Subnet subnet, LeaseAttrs attrs, Instant expiration, long revision) {
        this(subnet, attrs, Expiry.of(expiration), revision);
    }

    /** A lease not read from a store (revision 0), e.g. for a backend's tests. */
    public Lease(Ipv4Subnet subnet, LeaseAttrs attrs, Instant expiration) {
        this(subnet, attrs, expiration, 0);
    }

    public boolean isReservation() {
        return expiry instanceof Expiry.Never;
    }

    /** When the lease lapses; empty for a reservation, and for a lease whose expiration was not read. */
    public Optional<Instant> expiration() {
        return expiry instanceof Expiry.At at ? Optional.of(at.instant()) : Optional.empty();
    }

    /** This lease, lapsing at {@code instant}. */
    public Lease withExpiration(Instant instant) {
        return new Lease(subnet, attrs, new Expiry.At(instant), revision);
    }
}
