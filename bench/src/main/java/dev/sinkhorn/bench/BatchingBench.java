package dev.sinkhorn.bench;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Dynamic batching of Predict: the throughput in puzzles/s of CLIENTS concurrent clients each
 * sending one 2x2 puzzle per call, against the reference measured in the same run, one client
 * sending 64-puzzle batches. LABEL names the service's setting in the table (batching on or off).
 *
 * <pre>java -cp ... dev.sinkhorn.bench.BatchingBench HOST:GRPC_PORT:HTTP_PORT:PID MODEL CLIENTS SECONDS LABEL</pre>
 */
public final class BatchingBench {
    private BatchingBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, ServiceMemory> services = Map.of("inference", ServiceMemory.parse("inference", args[0]));
        String model = args[1];
        int clients = Integer.parseInt(args[2]);
        long nanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        String label = args[4];
        LoadBench.Outcome batched = LoadBench.run(List.of(new LoadBench.Workload("predict-64", "inference",
                ch -> BenchCalls.predict(ch, model, 64))), 1, nanos, services);
        LoadBench.Outcome single = LoadBench.run(List.of(new LoadBench.Workload("predict-1", "inference",
                ch -> BenchCalls.predict(ch, model, 1))), clients, nanos, services);
        LoadBench.Outcome shared = LoadBench.run(List.of(new LoadBench.Workload("predict-1", "inference",
                ch -> BenchCalls.predict(ch, model, 1))), clients, nanos, services, true);
        double reference = batched.perSecond() * 64;
        row(label, "1 client, 64 puzzles per call (reference)", batched, 64, reference);
        row(label, clients + " clients, 1 puzzle per call, a connection each", single, 1, reference);
        row(label, clients + " clients, 1 puzzle per call, one shared connection", shared, 1, reference);
    }

    private static void row(String label, String load, LoadBench.Outcome o, int puzzles, double reference) {
        double perSecond = o.perSecond() * puzzles;
        System.out.printf("| %s | %s | %,.0f | %.0f%% | %.1f ms | %.1f ms | %s | %d |%n", label, load, perSecond,
                100 * perSecond / reference, o.percentile(0.5), o.percentile(0.99), o.errorText(), o.wrong());
    }
}
