package dev.sinkhorn.bench;

import com.google.protobuf.Message;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.v1.MatchResponse;
import dev.sinkhorn.v1.PredictResponse;
import dev.sinkhorn.v1.SinkhornResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Concurrent clients against the running services: every client has its own channel (its own
 * connection) and calls as fast as answers come back. Every answer is checked against the one
 * the same request got before the load (equal within 1e-5), so "wrong" counts answers that
 * changed under load, "errors" every status that is not OK.
 *
 * <pre>
 * java -cp ... dev.sinkhorn.bench.LoadBench load SECONDS CLIENTS MODEL MATCHER INFERENCE
 * java -cp ... dev.sinkhorn.bench.LoadBench soak MINUTES CLIENTS MODEL MATCHER INFERENCE
 * </pre>
 *
 * MATCHER and INFERENCE are HOST:GRPC_PORT:HTTP_PORT:PID of the services (the HTTP port for
 * /q/metrics, the pid for a full GC with jcmd and for VmRSS). load: each workload alone, CLIENTS
 * clients for SECONDS, one markdown row each with memory before and after. soak: the three
 * workloads together (clients split between them) for MINUTES, one row per minute.
 *
 * Workloads: match (Match of 256 random 9x9 matrices, matcher), sinkhorn (Sinkhorn of
 * [64, 9, 9], 20 iterations, inference), predict (Predict of 16 random 2x2 puzzles on MODEL,
 * inference).
 */
public final class LoadBench {
    private LoadBench() {
    }

    /** One kind of call: which service it loads and how a fresh channel makes it. */
    record Workload(String name, String service, Function<ManagedChannel, Supplier<Message>> call) {
    }

    /** What a run of some seconds did. */
    record Outcome(long calls, long wrong, Map<String, Long> errors, long[] latencyNanos, double seconds) {
        double perSecond() {
            return calls / seconds;
        }

        double percentile(double p) {
            if (latencyNanos.length == 0) {
                return Double.NaN;
            }
            return latencyNanos[(int) Math.min(latencyNanos.length - 1, Math.floor(p * latencyNanos.length))] / 1e6;
        }

        String errorText() {
            long n = errors.values().stream().mapToLong(Long::longValue).sum();
            return n == 0 ? "0" : n + " " + errors;
        }
    }

    public static void main(String[] args) throws Exception {
        String mode = args[0];
        long amount = Long.parseLong(args[1]);
        int clients = Integer.parseInt(args[2]);
        String model = args[3];
        Map<String, ServiceMemory> services = Map.of("matcher", ServiceMemory.parse("matcher", args[4]),
                "inference", ServiceMemory.parse("inference", args[5]));
        List<Workload> workloads = List.of(
                new Workload("match", "matcher", ch -> BenchCalls.match(ch, 256, 9)),
                new Workload("sinkhorn", "inference", ch -> BenchCalls.sinkhorn(ch, 64, 9)),
                new Workload("predict", "inference", ch -> BenchCalls.predict(ch, model, 16)));
        if (mode.equals("load")) {
            System.out.println("| workload | clients | s | calls | calls/s | vs 1 client | p50 | p99 | max | errors | wrong"
                    + " | live heap before -> after | RSS before -> after |");
            System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            for (Workload w : workloads) {
                // The reference, in the same run: one client calling one at a time for 10 s.
                Outcome single = run(List.of(w), 1, TimeUnit.SECONDS.toNanos(10), services);
                ServiceMemory m = services.get(w.service());
                ServiceMemory.Sample before = m.sample();
                Outcome o = run(List.of(w), clients, TimeUnit.SECONDS.toNanos(amount), services);
                ServiceMemory.Sample after = m.sample();
                System.out.printf("| %s (1 client, reference) | 1 | 10 | %d | %.0f | 1.00 | %.1f ms | %.1f ms | %.0f ms | %s | %d | | |%n",
                        w.name(), single.calls(), single.perSecond(), single.percentile(0.5), single.percentile(0.99),
                        single.percentile(1.0), single.errorText(), single.wrong());
                System.out.printf("| %s | %d | %d | %d | %.0f | %.2f | %.1f ms | %.1f ms | %.0f ms | %s | %d | %s -> %s | %s -> %s |%n",
                        w.name(), clients, amount, o.calls(), o.perSecond(), o.perSecond() / single.perSecond(), o.percentile(0.5),
                        o.percentile(0.99), o.percentile(1.0), o.errorText(), o.wrong(), mb(before.liveHeap()), mb(after.liveHeap()),
                        mb(before.rss()), mb(after.rss()));
            }
        } else if (mode.equals("soak")) {
            ServiceMemory matcher = services.get("matcher");
            ServiceMemory inference = services.get("inference");
            ServiceMemory.Sample m0 = matcher.sample();
            ServiceMemory.Sample i0 = inference.sample();
            System.out.println("| minute | calls/s | p50 | p99 | errors | wrong | matcher live heap | matcher RSS"
                    + " | inference live heap | inference RSS |");
            System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            System.out.printf("| 0 | | | | | | %s | %s | %s | %s |%n", mb(m0.liveHeap()), mb(m0.rss()), mb(i0.liveHeap()), mb(i0.rss()));
            for (int minute = 1; minute <= amount; minute++) {
                Outcome o = run(workloads, clients, TimeUnit.MINUTES.toNanos(1), services);
                ServiceMemory.Sample m = matcher.sample();
                ServiceMemory.Sample i = inference.sample();
                System.out.printf("| %d | %.0f | %.1f ms | %.1f ms | %s | %d | %s | %s | %s | %s |%n", minute, o.perSecond(),
                        o.percentile(0.5), o.percentile(0.99), o.errorText(), o.wrong(), mb(m.liveHeap()), mb(m.rss()),
                        mb(i.liveHeap()), mb(i.rss()));
            }
        } else {
            throw new IllegalArgumentException("load or soak, not " + mode);
        }
    }

    /** CLIENTS clients, client k calling workloads[k % size] on a channel of its own, for the given time. */
    static Outcome run(List<Workload> workloads, int clients, long nanos, Map<String, ServiceMemory> services)
            throws Exception {
        return run(workloads, clients, nanos, services, false);
    }

    /** As above; with shareChannel, the clients of a workload call through one channel (one connection), as threads of one application do. */
    static Outcome run(List<Workload> workloads, int clients, long nanos, Map<String, ServiceMemory> services, boolean shareChannel)
            throws Exception {
        AtomicLong wrong = new AtomicLong();
        Map<String, Long> errors = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        List<ManagedChannel> channels = new ArrayList<>();
        List<Future<long[]>> latencies = new ArrayList<>();
        List<Supplier<Message>> calls = new ArrayList<>();
        List<Message> expected = new ArrayList<>();
        for (int k = 0; k < clients; k++) {
            Workload w = workloads.get(k % workloads.size());
            ManagedChannel channel;
            if (shareChannel && k >= workloads.size()) {
                channel = channels.get(k % workloads.size());
            } else {
                channel = ManagedChannelBuilder.forTarget(services.get(w.service()).target()).usePlaintext()
                        .maxInboundMessageSize(64 << 20).build();
                channels.add(channel);
            }
            Supplier<Message> call = w.call().apply(channel);
            calls.add(call);
            expected.add(call.get()); // the reference answer, and the connection made before the clock starts
        }
        long start = System.nanoTime();
        long end = start + nanos;
        for (int k = 0; k < clients; k++) {
            Supplier<Message> call = calls.get(k);
            Message reference = expected.get(k);
            latencies.add(pool.submit(() -> {
                long[] times = new long[1024];
                int n = 0;
                while (System.nanoTime() < end) {
                    long t = System.nanoTime();
                    try {
                        Message answer = call.get();
                        if (!same(reference, answer)) {
                            wrong.incrementAndGet();
                        }
                    } catch (StatusRuntimeException e) {
                        errors.merge(e.getStatus().getCode().name(), 1L, Long::sum);
                        continue;
                    }
                    if (n == times.length) {
                        times = Arrays.copyOf(times, n * 2);
                    }
                    times[n++] = System.nanoTime() - t;
                }
                return Arrays.copyOf(times, n);
            }));
        }
        List<long[]> all = new ArrayList<>();
        for (Future<long[]> f : latencies) {
            all.add(f.get());
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        for (ManagedChannel c : channels) {
            c.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        long[] merged = all.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return new Outcome(merged.length, wrong.get(), new TreeMap<>(errors), merged, seconds);
    }

    /** Whether an answer under load is the reference answer (float payloads within 1e-5). */
    static boolean same(Message reference, Message answer) {
        if (reference.equals(answer)) {
            return true;
        }
        if (reference instanceof MatchResponse) {
            return false; // assignments and objectives are exact
        }
        float[] a;
        float[] b;
        if (reference instanceof SinkhornResponse r) {
            a = ProtoArrays.values(r.getMatrices());
            b = ProtoArrays.values(((SinkhornResponse) answer).getMatrices());
        } else {
            a = ProtoArrays.values(((PredictResponse) reference).getSoftPermutation());
            b = ProtoArrays.values(((PredictResponse) answer).getSoftPermutation());
        }
        if (a.length != b.length) {
            return false;
        }
        for (int k = 0; k < a.length; k++) {
            if (Math.abs(a[k] - b[k]) > 1e-5f) {
                return false;
            }
        }
        return true;
    }

    private static String mb(long bytes) {
        return String.format("%.0f MB", bytes / 1e6);
    }
}
