package io.weft.store.etcd;

import io.etcd.jetcd.ByteSequence;
import io.etcd.jetcd.Watch;
import io.etcd.jetcd.common.exception.CompactedException;
import io.etcd.jetcd.options.WatchOption;
import io.etcd.jetcd.watch.WatchResponse;
import io.weft.core.spi.store.LeaseSnapshot;
import io.weft.core.spi.store.LeaseWatch;
import io.weft.core.spi.store.WatchResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One etcd watch stream on the subnets prefix, opened once and read by {@link #next} for as long as it lasts:
 * what etcd sends while the reader is busy waits in a queue, and the next call takes all of it as one batch, so a
 * burst costs the reader one round however many events it holds. A compacted start revision, an error (etcd
 * unreachable, no leader: the watch requires one) or etcd ending the stream ends it; the reader then closes it and
 * opens another. Made by {@link EtcdStore}; the queue is filled on jetcd's threads and read by one owner thread.
 */
final class EtcdLeaseWatch implements LeaseWatch {
    private static final Logger LOG = LoggerFactory.getLogger(EtcdLeaseWatch.class);
    /** Put in the queue when etcd ends the stream without an error. */
    private static final Object ENDED = new Object();

    private final EtcdConnection etcd;
    private final String what;
    private final BiFunction<List<WatchResponse>, Long, WatchResult.Changes> decode;
    private final Supplier<LeaseSnapshot> relist;
    private final BlockingQueue<Object> arrivals = new LinkedBlockingQueue<>();
    private final Watch.Watcher watcher;
    private long revision;
    private volatile boolean over;

    /**
     * @param decode the lease changes in a batch of responses, after a revision
     * @param relist the snapshot to return when the start revision was compacted
     */
    EtcdLeaseWatch(EtcdConnection etcd, ByteSequence prefix, String prefixText, long afterRevision,
            BiFunction<List<WatchResponse>, Long, WatchResult.Changes> decode, Supplier<LeaseSnapshot> relist) {
        this.etcd = etcd;
        this.what = "watch leases under " + prefixText + " from revision " + (afterRevision + 1);
        this.decode = decode;
        this.relist = relist;
        this.revision = afterRevision;
        WatchOption option = WatchOption.builder()
                .isPrefix(true)
                .withRevision(afterRevision + 1)
                // Without a leader a watch would wait silently; with this etcd cancels it, so the reader sees the
                // outage and resyncs once the cluster is back.
                .withRequireLeader(true)
                .build();
        try {
            watcher = etcd.client().getWatchClient().watch(prefix, option,
                    Watch.listener(arrivals::add, arrivals::add, () -> arrivals.add(ENDED)));
        } catch (RuntimeException e) {
            throw etcd.failure(what, e);
        }
    }

    @Override
    public WatchResult next(Duration maxWait) throws InterruptedException {
        if (over) {
            throw new IllegalStateException("the watch has ended: close it and open another");
        }
        long deadline = System.nanoTime() + Math.max(0, maxWait.toNanos());
        while (true) {
            long remaining = deadline - System.nanoTime();
            Object next = remaining <= 0 ? arrivals.poll() : arrivals.poll(remaining, TimeUnit.NANOSECONDS);
            if (next == null) {
                return new WatchResult.Changes(List.of(), revision);
            }
            if (!(next instanceof WatchResponse first)) {
                return end(next);
            }
            List<WatchResponse> batch = new ArrayList<>();
            batch.add(first);
            // Whatever else has already arrived goes out in the same result.
            while (arrivals.peek() instanceof WatchResponse) {
                batch.add((WatchResponse) arrivals.poll());
            }
            WatchResult.Changes changes = decode.apply(batch, revision);
            revision = changes.revision();
            if (!changes.events().isEmpty()) {
                return changes;
            }
        }
    }

    private WatchResult end(Object reason) {
        over = true;
        watcher.close();
        if (reason instanceof CompactedException c) {
            LOG.debug("watch from revision {} refused: compacted through {}", revision + 1, c.getCompactedRevision());
            return new WatchResult.Compacted(relist.get());
        }
        if (reason instanceof Throwable t) {
            throw etcd.failure(what, t);
        }
        throw etcd.failure(what, new IllegalStateException("etcd ended the watch stream"));
    }

    @Override
    public void close() {
        over = true;
        watcher.close();
    }
}
