package io.weft.core.spi.store;

import io.weft.core.model.LeaseEvent;
import java.util.List;
import java.util.Objects;

/** What one watch call found. Immutable. */
public sealed interface WatchResult {

    /** The revision to watch after next time. */
    long revision();

    /** Changes in revision order; empty when the wait ended with none. */
    record Changes(List<LeaseEvent> events, long revision) implements WatchResult {
        public Changes {
            events = List.copyOf(events);
        }
    }

    /** The requested revision was compacted away: here is the whole current state instead. */
    record Compacted(LeaseSnapshot snapshot) implements WatchResult {
        public Compacted {
            Objects.requireNonNull(snapshot, "snapshot is null");
        }

        @Override
        public long revision() {
            return snapshot.revision();
        }
    }
}
