package dev.sinkhorn.service.grpc;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import java.lang.management.CompilationMXBean;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.eclipse.microprofile.health.Startup;

/**
 * A service reports neither started nor ready until its warm-up has run (as Triton's
 * model_warmup): its hot paths compiled by the JIT, libtorch's threads and the loaded models used
 * once, so that the first calls after ready are about as fast as later ones. Each service's warm-up
 * calls {@link #done} when it has run; the health check "warm-up" reports it.
 */
@ApplicationScoped
public class WarmupGate {
    /** Known only inside this process: it lets the warm-up's own calls (on loopback) through the access check. */
    private final String key = java.util.UUID.randomUUID().toString();
    private volatile boolean done;
    private volatile String summary = "running";

    /** The warm-up key of this process (see {@link LoopbackChannel}). */
    public String key() {
        return key;
    }

    /** Whether a call carries this process's warm-up key, i.e. comes from its own warm-up. */
    public boolean isWarmupCall(io.grpc.Metadata headers) {
        return !done && key.equals(headers.get(LoopbackChannel.WARMUP_KEY));
    }

    /** One round of a warm-up: a few calls of everything hot. */
    @FunctionalInterface
    public interface Round {
        /** @return the calls it made */
        int run() throws Exception;
    }

    /**
     * Runs rounds for at least {@code min}, then until the JIT compiler is steady, at most
     * {@code max}: steady when over the last half second of calls it compiled for less than 25 ms.
     * Stopping at a fixed time instead left compilations queued behind the warm-up, which then
     * took the cores from the first calls after ready (measured on 2 cores). Collects the garbage at
     * the end. Returns the calls made.
     */
    public int warmUntilSteady(Round round, Duration min, Duration max) throws Exception {
        CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        boolean timed = jit != null && jit.isCompilationTimeMonitoringSupported();
        long start = System.nanoTime();
        long minEnd = start + min.toNanos();
        long maxEnd = start + max.toNanos();
        long windowStart = System.nanoTime();
        long windowCompile = timed ? jit.getTotalCompilationTime() : 0;
        int calls = 0;
        while (true) {
            calls += round.run();
            long now = System.nanoTime();
            if (now >= maxEnd) {
                break;
            }
            if (now - windowStart >= 500_000_000L) {
                long compiled = timed ? jit.getTotalCompilationTime() - windowCompile : 0;
                if (now >= minEnd && compiled < 25) {
                    break;
                }
                windowStart = now;
                windowCompile = timed ? jit.getTotalCompilationTime() : 0;
            }
        }
        System.gc(); // the warm-up's garbage, collected now rather than in the first calls
        return calls;
    }

    /** The warm-up has run; {@code what} says what it did (shown in the health check's data). */
    public void done(String what) {
        summary = what;
        done = true;
    }

    public String summary() {
        return summary;
    }

    public boolean isDone() {
        return done;
    }

    @Produces
    @Readiness
    HealthCheck warmedUpForReadiness() {
        return this::check;
    }

    @Produces
    @Startup
    HealthCheck warmedUpForStartup() {
        return this::check;
    }

    private HealthCheckResponse check() {
        return HealthCheckResponse.named("warm-up").status(done).withData("warm-up", summary).build();
    }
}
