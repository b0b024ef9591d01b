package io.weft.cli;

import io.weft.core.spi.store.Store;

/** Opens the store named by the {@link StoreOptionsMixin} flags; shared by the admin commands. */
final class StoreCommand {
    private StoreCommand() {
    }

    static Store open(WeftCli.Context context, StoreOptionsMixin flags) {
        return context.stores().get(flags.store).create(flags.toOptions());
    }
}
