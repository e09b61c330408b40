package dev.sinkhorn.bench;

import java.util.Arrays;

/** Wall-clock timing: warm-up runs, then the median of measured runs, in seconds. */
final class Timing {
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

    /**
     * The median of measured runs after warming up for at least the given time: a service's JIT
     * needs a few thousand calls (seconds) before its answers reach their steady speed.
     */
    static double median(java.time.Duration warmup, int runs, Body body) throws Exception {
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
