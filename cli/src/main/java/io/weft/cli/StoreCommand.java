package io.weft.cli;

import io.weft.core.spi.store.Store;
import picocli.CommandLine.Mixin;

/** A {@link ContextCommand} that also takes the store flags ({@link StoreOptionsMixin}). Not thread-safe. */
abstract class StoreCommand extends ContextCommand {
    @Mixin
    StoreOptionsMixin storeFlags;

    /** Opens the store the flags name; the caller closes it. */
    Store openStore() {
        return storeFlags.open(context());
    }
}
