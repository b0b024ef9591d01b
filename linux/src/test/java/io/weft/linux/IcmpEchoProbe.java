package io.weft.linux;

import io.weft.core.model.Ipv4;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-JVM main for {@link IcmpEchoNetnsTest}, run inside the test's namespace: {@code ADDRESS SIZE...} sends one
 * DF echo of each size to ADDRESS through {@link IcmpEcho} and prints {@code RESULT answered=[...]}, then one small
 * echo as {@code RESULT reachable=true|false}.
 */
public final class IcmpEchoProbe {
    private IcmpEchoProbe() {
    }

    public static void main(String[] args) {
        List<Integer> sizes = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        try (IcmpEcho echo = IcmpEcho.open(Syscalls.load(), Ipv4.parse("address", args[0]))) {
            System.out.println("RESULT answered=" + echo.probe(sizes, Duration.ofSeconds(2)));
            System.out.println("RESULT reachable=" + echo.reachable(Duration.ofMillis(500)));
        }
    }
}
