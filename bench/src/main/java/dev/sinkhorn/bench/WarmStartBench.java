package dev.sinkhorn.bench;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

/**
 * The first calls a service answers right after it reports ready, against its warm speed. This
 * client warms itself first (5 s of calls), so that what is timed is the service, not a cold
 * client. Then, ROUNDS times: runs RESTART (a shell command that restarts the service and returns
 * once it is ready), opens a new channel, times the first 20 calls one by one, calls for 5 s more
 * and takes the median of the next 100 as the warm speed.
 *
 * <pre>java -cp ... dev.sinkhorn.bench.WarmStartBench match|sinkhorn|predict HOST:PORT MODEL ROUNDS RESTART</pre>
 *
 * match: Match of 2,000 random 9x9 matrices; sinkhorn: Sinkhorn of [256, 36, 36], 20 iterations;
 * predict: Predict of 64 random 2x2 puzzles of 28 px images on MODEL. All with values_f32le.
 * Prints a markdown row per round: call, round, connecting, first call, first 20 mean and max / warm median,
 * warm median. The connection is made (and timed) before the calls.
 */
public final class WarmStartBench {
    private WarmStartBench() {
    }

    public static void main(String[] args) throws Exception {
        String what = args[0];
        String target = args[1];
        String model = args[2];
        int rounds = Integer.parseInt(args[3]);
        String restart = args[4];
        call(what, target, model, TimeUnit.SECONDS.toNanos(5), 0);
        for (int round = 1; round <= rounds; round++) {
            Process p = new ProcessBuilder("bash", "-c", restart).inheritIO().start();
            if (p.waitFor() != 0) {
                throw new IllegalStateException("restart failed: " + restart);
            }
            call(what, target, model, TimeUnit.SECONDS.toNanos(5), round);
        }
    }

    /** One round: 20 timed calls on a fresh channel, warming for warmNanos, 100 more; prints a row when round > 0. */
    private static void call(String what, String target, String model, long warmNanos, int round) throws Exception {
        ManagedChannel channel = ManagedChannelBuilder.forTarget(target).usePlaintext().maxInboundMessageSize(64 << 20).build();
        java.util.function.Supplier<?> calls = switch (what) {
            case "match" -> BenchCalls.match(channel, 2000, 9);
            case "sinkhorn" -> BenchCalls.sinkhorn(channel, 256, 36);
            case "predict" -> BenchCalls.predict(channel, model, 64);
            default -> throw new IllegalArgumentException("match, sinkhorn or predict, not " + what);
        };
        Timing.Body call = calls::get;
        // The connection first (TCP and HTTP/2 set-up is the network's, not the service's warmness); timed apart.
        long connecting = System.nanoTime();
        awaitReady(channel);
        double connect = (System.nanoTime() - connecting) / 1e9;
        double[] first = new double[20];
        for (int i = 0; i < first.length; i++) {
            long t = System.nanoTime();
            call.run();
            first[i] = (System.nanoTime() - t) / 1e9;
        }
        long until = System.nanoTime() + warmNanos;
        while (System.nanoTime() < until) {
            call.run();
        }
        double warm = Timing.median(0, 100, call);
        if (System.getenv("WARM_DEBUG") != null) { // the 20 times, for a closer look
            System.out.println(Arrays.toString(Arrays.stream(first).map(x -> Math.round(x * 1e4) / 10.0).toArray()));
        }
        double mean = Arrays.stream(first).average().orElseThrow();
        double max = Arrays.stream(first).max().orElseThrow();
        if (round > 0) {
            System.out.printf("| %s | %d | %.1f ms | %.1f ms | %.2f | %.2f | %.2f ms |%n", what, round, connect * 1e3, first[0] * 1e3,
                    mean / warm, max / warm, warm * 1e3);
        }
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    private static void awaitReady(ManagedChannel channel) throws InterruptedException {
        java.util.concurrent.CountDownLatch ready = new java.util.concurrent.CountDownLatch(1);
        watch(channel, ready);
        if (!ready.await(30, TimeUnit.SECONDS)) {
            throw new IllegalStateException("no connection within 30 s");
        }
    }

    private static void watch(ManagedChannel channel, java.util.concurrent.CountDownLatch ready) {
        io.grpc.ConnectivityState s = channel.getState(true);
        if (s == io.grpc.ConnectivityState.READY) {
            ready.countDown();
        } else {
            channel.notifyWhenStateChanged(s, () -> watch(channel, ready));
        }
    }
}
