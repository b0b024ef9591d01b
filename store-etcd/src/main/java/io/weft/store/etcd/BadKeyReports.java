package io.weft.store.etcd;

import io.weft.core.Excerpt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs each key under the subnets prefix that cannot be read (a key that is no subnet, a value that is no
 * lease) once, at WARN. Whoever can write to etcd can make any number of distinct bad keys, each up to
 * etcd's request size, so neither the memory kept nor the log may grow with them: it remembers at most
 * {@link #LIMIT} keys, each as an {@link Excerpt}, and once full says so in one line and reports no more
 * (they are counted, at DEBUG). Owned by one {@link EtcdStore}; thread-safe.
 */
final class BadKeyReports {
    static final int LIMIT = 256;
    private static final Logger LOG = LoggerFactory.getLogger(EtcdStore.class);

    private final String prefix;
    private final Set<String> reported = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean full = new AtomicBoolean();
    private final AtomicLong unreported = new AtomicLong();

    /** @param prefix the subnets prefix, for the line that says the limit was reached */
    BadKeyReports(String prefix) {
        this.prefix = prefix;
    }

    /**
     * Logs {@code problem} about {@code key} unless that key was reported already or the limit is reached.
     *
     * @param problem the one-line reason, e.g. "cannot read lease ...: ..."
     */
    void report(String key, String problem) {
        String k = Excerpt.of(key);
        if (reported.contains(k)) {
            return;
        }
        if (reported.size() >= LIMIT) {
            long n = unreported.incrementAndGet();
            if (full.compareAndSet(false, true)) {
                LOG.warn("more than {} unreadable keys under {}; reporting no more of them (fix or delete them with"
                        + " etcdctl)", LIMIT, prefix);
            }
            LOG.debug("unreadable key not reported: {} ({} so far)", problem, n);
            return;
        }
        if (reported.add(k)) {
            LOG.warn(problem);
        }
    }

    /** How many keys are remembered now: never more than {@link #LIMIT}, but for a few racing adds. */
    int size() {
        return reported.size();
    }
}
