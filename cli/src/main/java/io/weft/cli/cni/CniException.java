package io.weft.cli.cni;

import io.weft.core.WeftException;

/**
 * A CNI error result: one of the spec's error codes with a message and details, printed as JSON on
 * stdout. Immutable.
 */
final class CniException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final int INCOMPATIBLE_VERSION = 1;
    static final int UNKNOWN_CONTAINER = 3;
    static final int INVALID_ENVIRONMENT = 4;
    static final int IO_FAILURE = 5;
    static final int DECODE_FAILURE = 6;
    static final int INVALID_CONFIG = 7;
    static final int TRY_AGAIN_LATER = 11;
    /** Plugin-specific codes start at 100. */
    static final int DELEGATE_FAILED = 100;

    private final int code;
    private final String details;

    /** Both texts are kept on one line ({@link WeftException#oneLine}): they may quote the runtime's values. */
    CniException(int code, String msg, String details) {
        super(WeftException.oneLine(msg));
        this.code = code;
        this.details = details == null ? "" : WeftException.oneLine(details);
    }

    int code() {
        return code;
    }

    String details() {
        return details;
    }
}
