package io.weft.core.daemon;

/** Told of the daemon's lifecycle, e.g. to notify systemd. Called from the daemon's threads. */
public interface DaemonListener {
    DaemonListener NONE = new DaemonListener() {
    };

    /** The lease is held, the data path is up and subnet.env is written. */
    default void ready() {
    }

    /** Shutdown has begun. */
    default void stopping() {
    }
}
