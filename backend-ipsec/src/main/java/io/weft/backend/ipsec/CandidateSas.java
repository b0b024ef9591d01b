package io.weft.backend.ipsec;

/**
 * One peer's derived candidate inbound SAs, by SPI: SAs derived for packets whose SPI no installed SA has, kept
 * so that every further packet with that SPI costs one GCM trial, not another derivation. Two areas, so forged
 * SPIs cannot push the real next SA out:
 *
 * <ul>
 *   <li>{@link #addExpected expected}: SPIs that lay, when derived, within a few seconds of the peer's clock
 *       now. A sender's new SPI is its clock when it made the SA, so its real next SA lands here, and the window
 *       holds fewer SPIs than this area has room for: an expected SA is only ever evicted once its SPI has left
 *       the window, never by another expected one that is in it.</li>
 *   <li>{@link #addOther other}: any other fresh SPI (a peer whose clock moved, or a receiver that restarted
 *       while the peer's SA was already some seconds old). First in, first out; it never evicts an expected
 *       one.</li>
 * </ul>
 *
 * Lookups scan a dozen slots and allocate nothing. Not thread-safe: owned by the inbound forwarding thread.
 */
final class CandidateSas {
    private final InboundSa[] expected;
    private final InboundSa[] others;
    /** When each of {@link #others} was added, in additions counted by {@link #added}. */
    private final long[] otherAdded;
    private long added;

    CandidateSas(int expectedCapacity, int otherCapacity) {
        if (expectedCapacity < 1 || otherCapacity < 1) {
            throw new IllegalArgumentException("capacities " + expectedCapacity + " and " + otherCapacity
                    + " must be positive");
        }
        this.expected = new InboundSa[expectedCapacity];
        this.others = new InboundSa[otherCapacity];
        this.otherAdded = new long[otherCapacity];
    }

    /** The candidate with {@code spi}, or null. */
    InboundSa find(int spi) {
        InboundSa sa = find(expected, spi);
        return sa != null ? sa : find(others, spi);
    }

    private static InboundSa find(InboundSa[] area, int spi) {
        for (InboundSa sa : area) {
            if (sa != null && sa.spi() == spi) {
                return sa;
            }
        }
        return null;
    }

    /**
     * Keeps {@code sa}, derived for an SPI inside the expected window [{@code low}, {@code high}] (seconds of the
     * peer's clock). When the area is full, the entry with the lowest SPI outside the window goes; only if every
     * entry is inside it (the window is larger than the area) does the lowest SPI go.
     */
    void addExpected(InboundSa sa, long low, long high) {
        int slot = -1;
        boolean outside = false;
        for (int i = 0; i < expected.length; i++) {
            InboundSa e = expected[i];
            if (e == null) {
                slot = i;
                break;
            }
            long spi = Integer.toUnsignedLong(e.spi());
            boolean out = spi < low || spi > high;
            if (slot < 0 || out && !outside
                    || out == outside && Integer.compareUnsigned(e.spi(), expected[slot].spi()) < 0) {
                slot = i;
                outside = out;
            }
        }
        expected[slot] = sa;
    }

    /** Keeps {@code sa}, derived for an SPI outside the expected window: in a free slot, else the oldest one's. */
    void addOther(InboundSa sa) {
        int slot = 0;
        for (int i = 0; i < others.length; i++) {
            if (others[i] == null) {
                slot = i;
                break;
            }
            if (otherAdded[i] < otherAdded[slot]) {
                slot = i;
            }
        }
        others[slot] = sa;
        otherAdded[slot] = ++added;
    }

    /** Forgets every candidate whose SPI is at most {@code spi}: a newer SA was installed. */
    void removeUpTo(int spi) {
        removeUpTo(expected, spi);
        removeUpTo(others, spi);
    }

    private static void removeUpTo(InboundSa[] area, int spi) {
        for (int i = 0; i < area.length; i++) {
            if (area[i] != null && Integer.compareUnsigned(area[i].spi(), spi) <= 0) {
                area[i] = null;
            }
        }
    }

    /** How many candidates are kept, for tests. */
    int size() {
        int n = 0;
        for (InboundSa sa : expected) {
            n += sa != null ? 1 : 0;
        }
        for (InboundSa sa : others) {
            n += sa != null ? 1 : 0;
        }
        return n;
    }
}
