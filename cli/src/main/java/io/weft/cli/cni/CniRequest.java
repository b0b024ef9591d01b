package io.weft.cli.cni;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * One CNI call as the {@code cni/weft} shim sends it over the daemon's socket: the shim's environment as
 * {@code env -0} prints it (NAME=value entries, each ended by a NUL byte), one more NUL, then the network
 * config bytes that came on the shim's stdin. Shell variables cannot hold a NUL, so the framing needs no
 * escaping. Immutable.
 */
record CniRequest(Map<String, String> environment, byte[] stdin) {
    CniRequest {
        environment = Map.copyOf(environment);
        stdin = stdin.clone();
    }

    @Override
    public byte[] stdin() {
        return stdin.clone();
    }

    /** Decodes a request body, or throws a {@link CniException} that says what is wrong with it. */
    static CniRequest decode(byte[] body) {
        Map<String, String> env = new HashMap<>();
        int start = 0;
        while (true) {
            int end = indexOfNul(body, start);
            if (end < 0) {
                throw new CniException(CniException.DECODE_FAILURE,
                        "CNI request has no end of environment (an empty NUL-ended entry)",
                        "send `env -0`, a NUL byte, then the network config, as cni/weft does");
            }
            if (end == start) {
                return new CniRequest(env, Arrays.copyOfRange(body, end + 1, body.length));
            }
            String entry = new String(body, start, end - start, StandardCharsets.UTF_8);
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new CniException(CniException.DECODE_FAILURE, "CNI request environment entry \""
                        + entry + "\" is not NAME=value", "send `env -0` output, as cni/weft does");
            }
            env.put(entry.substring(0, eq), entry.substring(eq + 1));
            start = end + 1;
        }
    }

    private static int indexOfNul(byte[] body, int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] == 0) {
                return i;
            }
        }
        return -1;
    }
}
