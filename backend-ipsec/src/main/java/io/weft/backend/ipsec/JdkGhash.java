package io.weft.backend.ipsec;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;

/**
 * GCM's GHASH over one hash key H, computed by the JDK's own {@code com.sun.crypto.provider.GHASH}, whose
 * block loop HotSpot replaces with its carry-less-multiply intrinsic (PCLMULQDQ on x86-64). The JCE offers that
 * intrinsic only inside a {@code Cipher}, whose per-packet {@code init} builds a new GHASH, GCTR and engine
 * (about 300 ns and 1.1 KB per 1.4 KB packet on this machine, half of the cipher's time); one instance of this
 * class keeps its H and its precomputed powers for the life of an SA.
 *
 * <p>The class is not exported by {@code java.base}: weft's jar asks for it with an {@code Add-Opens} manifest
 * entry ({@code java -jar}), tests with surefire's {@code --add-opens}. Where that is missing, or a JDK lacks
 * the three members used here ({@code GHASH(byte[])}, {@code update(byte[], int, int)}, {@code digest()}, the
 * same from JDK 17 to 25), {@link #unavailableReason()} says why and nothing else in this class may be used.
 * Not thread-safe.
 */
final class JdkGhash {
    private static final String CLASS = "com.sun.crypto.provider.GHASH";
    private static final MethodHandle NEW;
    private static final MethodHandle UPDATE;
    private static final MethodHandle DIGEST;
    private static final String UNAVAILABLE;

    static {
        MethodHandle create = null;
        MethodHandle update = null;
        MethodHandle digest = null;
        String reason = null;
        try {
            Class<?> ghash = Class.forName(CLASS);
            MethodHandles.Lookup lookup = MethodHandles.privateLookupIn(ghash, MethodHandles.lookup());
            create = lookup.findConstructor(ghash, MethodType.methodType(void.class, byte[].class))
                    .asType(MethodType.methodType(Object.class, byte[].class));
            update = lookup.findVirtual(ghash, "update", MethodType.methodType(int.class, byte[].class, int.class,
                    int.class)).asType(MethodType.methodType(int.class, Object.class, byte[].class, int.class, int.class));
            digest = lookup.findVirtual(ghash, "digest", MethodType.methodType(byte[].class))
                    .asType(MethodType.methodType(byte[].class, Object.class));
        } catch (ReflectiveOperationException | RuntimeException e) {
            reason = CLASS + " is not reachable (" + e.getClass().getSimpleName() + ": " + e.getMessage()
                    + "); run weft with --add-opens java.base/com.sun.crypto.provider=ALL-UNNAMED, as bin/weft and"
                    + " java -jar weft.jar do";
        }
        NEW = create;
        UPDATE = update;
        DIGEST = digest;
        UNAVAILABLE = reason;
    }

    private final Object state;

    /** A GHASH over {@code hashKey} (H, 16 bytes). Only when {@link #unavailableReason()} is null. */
    JdkGhash(byte[] hashKey) {
        if (UNAVAILABLE != null) {
            throw new IllegalStateException(UNAVAILABLE);
        }
        try {
            state = (Object) NEW.invokeExact(hashKey);
        } catch (Throwable e) {
            throw new IllegalStateException("the JDK's GHASH refused a " + hashKey.length + "-byte hash key: " + e, e);
        }
    }

    /** Null when this JDK's GHASH can be used, else why not (one line, with the fix). */
    static String unavailableReason() {
        return UNAVAILABLE;
    }

    /** Folds {@code length} bytes (a multiple of 16, may be 0) of {@code in} from {@code offset} into the hash. */
    void update(byte[] in, int offset, int length) {
        if (length == 0) {
            return;
        }
        try {
            int ignored = (int) UPDATE.invokeExact(state, in, offset, length);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
    }

    /** Copies the hash of everything folded in so far into {@code out[at .. at + 16)} and starts over. */
    void finish(byte[] out, int at) {
        byte[] sum;
        try {
            sum = (byte[]) DIGEST.invokeExact(state);
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IllegalStateException(e);
        }
        System.arraycopy(sum, 0, out, at, sum.length);
    }
}
