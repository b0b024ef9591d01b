package io.weft.core.plugin;

import io.weft.core.WeftException;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Finds plugin providers by name. Providers are loaded lazily, once per registry instance (never in a
 * global), from {@link ServiceLoader} or from a list given in code. Thread-safe.
 *
 * @param <P> the provider type, e.g. {@link io.weft.core.spi.store.StoreProvider}
 */
public final class PluginRegistry<P> {
    private final String kind;
    private final Function<P, String> nameOf;
    private final Supplier<Iterable<P>> source;
    private Map<String, P> byName;

    private PluginRegistry(String kind, Function<P, String> nameOf, Supplier<Iterable<P>> source) {
        this.kind = kind;
        this.nameOf = nameOf;
        this.source = source;
    }

    /** Providers of {@code type} found on the class path of {@code loader}. */
    public static <P> PluginRegistry<P> load(String kind, Class<P> type, Function<P, String> nameOf, ClassLoader loader) {
        return new PluginRegistry<>(kind, nameOf, () -> ServiceLoader.load(type, loader));
    }

    /** Exactly the providers given. */
    public static <P> PluginRegistry<P> of(String kind, Function<P, String> nameOf, List<P> providers) {
        List<P> copy = List.copyOf(providers);
        return new PluginRegistry<>(kind, nameOf, () -> copy);
    }

    /** The provider called {@code name}; fails naming the ones that exist. */
    public P get(String name) {
        P provider = providers().get(name);
        if (provider == null) {
            throw new WeftException(kind + " \"" + name + "\" not found; available: " + String.join(", ", names()));
        }
        return provider;
    }

    /** The names of all providers, sorted. */
    public List<String> names() {
        return List.copyOf(providers().keySet());
    }

    private synchronized Map<String, P> providers() {
        if (byName == null) {
            Map<String, P> map = new TreeMap<>();
            for (P p : source.get()) {
                P previous = map.putIfAbsent(nameOf.apply(p), p);
                if (previous != null && previous.getClass() != p.getClass()) {
                    throw new WeftException(kind + " \"" + nameOf.apply(p) + "\" is provided twice, by "
                            + previous.getClass().getName() + " and " + p.getClass().getName()
                            + ": remove one jar from the class path");
                }
            }
            byName = map;
        }
        return byName;
    }
}
