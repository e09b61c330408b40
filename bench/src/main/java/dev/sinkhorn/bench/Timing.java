package dev.sinkhorn.bench;

import java.time.Duration;
import java.util.Arrays;

/** Wall-clock timing: warm-up runs, then the median of measured runs, in seconds. */
final class Timing {
    /**
     * Calls to a service before timing its RPCs: its JIT compiles the request path over the first
     * ~1,500 calls (measured on the inference service), and a long-running service is past that.
     */
    static final Duration SERVICE_WARMUP = Duration.ofSeconds(2);

    private Timing() {
    }

    interface Body {
        void run() throws Exception;
    }

    static double median(int warmups, int runs, Body body) throws Exception {
        for (int i = 0; i < warmups; i++) {
            body.run();
        }
        double[] t = new double[runs];
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            body.run();
            t[i] = (System.nanoTime() - start) / 1e9;
        }
        Arrays.sort(t);
        return t[runs / 2];
    }

    /** The median of measured runs after calling the body for at least the given time. */
    static double median(Duration warmup, int runs, Body body) throws Exception {
        long end = System.nanoTime() + warmup.toNanos();
        while (System.nanoTime() < end) {
            body.run();
        }
        return median(0, runs, body);
    }

    static String seconds(double s) {
        if (s < 1e-3) {
            return String.format("%.1f µs", s * 1e6);
        }
        if (s < 1) {
            return String.format("%.2f ms", s * 1e3);
        }
        return String.format("%.2f s", s);
    }
}
