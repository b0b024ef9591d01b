package io.weft.linux;

import io.weft.core.model.Ipv4;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Child-JVM main for {@link DoctorProbesNetnsTest}, run inside the test's namespace: {@code echo ADDRESS SIZE...}
 * sends one DF echo of each size to ADDRESS through {@link IcmpEcho} and prints {@code RESULT answered=[...]}, then
 * one small echo as {@code RESULT reachable=true|false}; {@code port ADDRESS PORT} prints {@link UdpPortProbe}'s
 * answer as {@code RESULT refused=true|false}.
 */
public final class DoctorProbesProbe {
    private DoctorProbesProbe() {
    }

    public static void main(String[] args) {
        if (args[0].equals("port")) {
            System.out.println("RESULT refused=" + UdpPortProbe.refused(Syscalls.load(), Ipv4.parse("address", args[1]),
                    Integer.parseInt(args[2]), Duration.ofSeconds(1)));
            return;
        }
        List<Integer> sizes = new ArrayList<>();
        for (int i = 2; i < args.length; i++) {
            sizes.add(Integer.parseInt(args[i]));
        }
        try (IcmpEcho echo = IcmpEcho.open(Syscalls.load(), Ipv4.parse("address", args[1]))) {
            System.out.println("RESULT answered=" + echo.probe(sizes, Duration.ofSeconds(2)));
            System.out.println("RESULT reachable=" + echo.reachable(Duration.ofMillis(500)));
        }
    }
}
