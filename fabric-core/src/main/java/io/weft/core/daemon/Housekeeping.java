package io.weft.core.daemon;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The daemon's low-rate periodic jobs (the drop summary, the iptables resync) on one thread, so each does not
 * keep a thread of its own asleep: a node agent's threads are counted. Each job runs every its own interval; a
 * job that throws is logged and runs again at its next turn. {@link #run()} returns when interrupted.
 */
final class Housekeeping {
    private static final Logger LOG = LoggerFactory.getLogger(Housekeeping.class);

    /** One job: what it is called (for the log), how often, and one step of it. */
    record Job(String name, Duration every, Runnable step) { }

    private final List<Job> jobs;

    Housekeeping(List<Job> jobs) {
        this.jobs = List.copyOf(jobs);
    }

    boolean isEmpty() {
        return jobs.isEmpty();
    }

    /** Runs each job every its interval until interrupted. */
    void run() throws InterruptedException {
        long[] due = new long[jobs.size()];
        long now = System.nanoTime();
        for (int i = 0; i < due.length; i++) {
            due[i] = now + jobs.get(i).every().toNanos();
        }
        while (!Thread.currentThread().isInterrupted() && due.length > 0) {
            long next = Long.MAX_VALUE;
            for (long d : due) {
                next = Math.min(next, d);
            }
            long wait = next - System.nanoTime();
            if (wait > 0) {
                Thread.sleep(Math.max(1, wait / 1_000_000));
            }
            now = System.nanoTime();
            for (int i = 0; i < due.length; i++) {
                if (now - due[i] >= 0) {
                    Job job = jobs.get(i);
                    try {
                        job.step().run();
                    } catch (RuntimeException e) {
                        LOG.warn("{} failed error=\"{}\"; trying again in {}s", job.name(), e.getMessage(),
                                job.every().toSeconds());
                    }
                    due[i] = System.nanoTime() + job.every().toNanos();
                }
            }
        }
    }

    /** The jobs, in order, for a list built step by step. */
    static List<Job> jobs() {
        return new ArrayList<>();
    }
}
