package io.weft.store.memory;

import io.weft.core.spi.store.Store;
import io.weft.core.spi.store.StoreContract;
import io.weft.core.testing.ManualClock;
import java.time.Duration;
import java.time.Instant;

/** The in-memory store against the shared store contract, on a manual clock. */
class InMemoryStoreContractTest extends StoreContract {
    private final ManualClock clock = new ManualClock();

    @Override
    protected Store newStore() {
        return new InMemoryStore(clock);
    }

    @Override
    protected void compact(Store store, long revision) {
        ((InMemoryStore) store).compact(revision);
    }

    @Override
    protected void passTime(Duration d) {
        clock.advance(d);
    }

    @Override
    protected Instant now() {
        return clock.instant();
    }
}
