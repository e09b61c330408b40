package dev.sinkhorn.bench;

import io.grpc.ManagedChannel;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Dynamic batching: the throughput of CLIENTS concurrent clients each sending one item per call
 * (a 2x2 puzzle to Predict, a 4x4 matrix to Sinkhorn), against the reference measured in the same
 * run, one client sending 64 items per call. LABEL names the service's setting in the table
 * (batching on or off).
 *
 * <pre>java -cp ... dev.sinkhorn.bench.BatchingBench HOST:GRPC_PORT:HTTP_PORT:PID MODEL CLIENTS SECONDS LABEL</pre>
 */
public final class BatchingBench {
    private BatchingBench() {
    }

    /** One RPC's calls with {@code items} items each. */
    private interface Calls {
        Supplier<com.google.protobuf.Message> on(ManagedChannel channel, int items);
    }

    public static void main(String[] args) throws Exception {
        Map<String, ServiceMemory> services = Map.of("inference", ServiceMemory.parse("inference", args[0]));
        String model = args[1];
        int clients = Integer.parseInt(args[2]);
        long nanos = TimeUnit.SECONDS.toNanos(Long.parseLong(args[3]));
        String label = args[4];
        compare("Predict", "puzzles", (ch, items) -> BenchCalls.predict(ch, model, items), label, clients, nanos, services);
        compare("Sinkhorn", "4x4 matrices", (ch, items) -> BenchCalls.sinkhorn(ch, items, 4), label, clients, nanos, services);
    }

    private static void compare(String rpc, String unit, Calls calls, String label, int clients, long nanos,
                                Map<String, ServiceMemory> services) throws Exception {
        LoadBench.Outcome batched = LoadBench.run(List.of(new LoadBench.Workload(rpc + "-64", "inference",
                ch -> calls.on(ch, 64))), 1, nanos, services);
        LoadBench.Outcome single = LoadBench.run(List.of(new LoadBench.Workload(rpc + "-1", "inference",
                ch -> calls.on(ch, 1))), clients, nanos, services);
        LoadBench.Outcome shared = LoadBench.run(List.of(new LoadBench.Workload(rpc + "-1", "inference",
                ch -> calls.on(ch, 1))), clients, nanos, services, true);
        double reference = batched.perSecond() * 64;
        row(rpc, label, "1 client, 64 " + unit + " per call (reference)", batched, 64, reference);
        row(rpc, label, clients + " clients, 1 per call, a connection each", single, 1, reference);
        row(rpc, label, clients + " clients, 1 per call, one shared connection", shared, 1, reference);
    }

    private static void row(String rpc, String label, String load, LoadBench.Outcome o, int items, double reference) {
        double perSecond = o.perSecond() * items;
        System.out.printf("| %s | %s | %s | %,.0f | %.0f%% | %.1f ms | %.1f ms | %s | %d |%n", rpc, label, load, perSecond,
                100 * perSecond / reference, o.percentile(0.5), o.percentile(0.99), o.errorText(), o.wrong());
    }
}
