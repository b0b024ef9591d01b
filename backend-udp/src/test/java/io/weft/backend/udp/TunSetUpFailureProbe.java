package io.weft.backend.udp;

import io.weft.core.WeftException;
import io.weft.core.model.Ipv4;
import io.weft.core.model.Ipv4Subnet;
import io.weft.linux.LibC;
import io.weft.linux.Syscalls;
import io.weft.linux.TunDevice;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * Makes {@link TunDevice#open} fail after the device exists (an MTU below 68, refused by SIOCSIFMTU) with a
 * libc that counts {@code close} calls per descriptor, and prints {@code RESULT key=value} lines for
 * {@link DataPathNetnsTest}. Run only inside the namespace that test creates: it opens a TUN device.
 */
public final class TunSetUpFailureProbe {
    private static final String DEVICE = "wefttest1";

    public static void main(String[] args) {
        Syscalls real = Syscalls.load();
        Map<Integer, Integer> closes = new TreeMap<>();
        LibC counting = (LibC) Proxy.newProxyInstance(LibC.class.getClassLoader(), new Class<?>[] {LibC.class},
                (proxy, method, arguments) -> {
                    if (method.getName().equals("close")) {
                        closes.merge((Integer) arguments[0], 1, Integer::sum);
                    }
                    try {
                        return method.invoke(real.libc(), arguments);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
        Syscalls sys = new Syscalls(counting, jnr.ffi.Runtime.getSystemRuntime());
        try {
            TunDevice.open(sys, DEVICE, Ipv4.parse("address", "100.97.1.0"), 10, Ipv4Subnet.parse("100.97.0.0/16"));
            System.out.println("RESULT failed=false");
        } catch (WeftException e) {
            System.out.println("RESULT failed=true");
            System.out.println("RESULT message=" + e.getMessage());
        }
        System.out.println("RESULT closes=" + closes);
        System.out.println("RESULT deviceGone=" + !Files.exists(Path.of("/sys/class/net", DEVICE)));
    }
}
