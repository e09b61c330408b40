package dev.sinkhorn.bench;

import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.matching.AssignmentProblem;
import dev.sinkhorn.core.matching.BatchMatcher;
import dev.sinkhorn.core.matching.KendallTau;
import dev.sinkhorn.core.matching.LinearAssignmentSolver;
import dev.sinkhorn.core.matching.MatchOptions;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The matcher benchmark (issue "matcher-service"): exact assignment and Kendall tau, ours beside
 * SciPy on the same inputs in the same run. Inputs are written to a folder as little-endian
 * float32 / int32 files; bench/matcher/scipy_matcher.py times SciPy on them and prints
 * "name seconds" lines. Prints a markdown table.
 *
 * <p>Arguments: WORKDIR [MATCHER_GRPC_ADDRESS (host:port) for the over-gRPC rows].
 */
public final class MatcherBench {
    private static final int[] BATCH_SIZES = {4, 9, 16};
    private static final int BATCH = 10_000;
    private static final int[] DENSE_SIZES = {500, 1000, 2000};

    public static void main(String[] args) throws Exception {
        Path dir = Files.createDirectories(Path.of(args[0]));
        String grpc = args.length > 1 ? args[1] : null;
        SplittableRandom rng = new SplittableRandom(2018);
        Map<String, float[]> matrices = new LinkedHashMap<>();
        for (int n : BATCH_SIZES) {
            matrices.put("batch" + n, uniform(rng, BATCH * n * n));
        }
        for (int n : DENSE_SIZES) {
            matrices.put("dense" + n, uniform(rng, n * n));
        }
        for (Map.Entry<String, float[]> e : matrices.entrySet()) {
            writeFloats(dir.resolve(e.getKey() + ".f32"), e.getValue());
        }
        int[] kt9a = new int[BATCH * 9];
        int[] kt9b = new int[BATCH * 9];
        for (int k = 0; k < BATCH; k++) {
            System.arraycopy(Jigsaw.randomPermutation(9, rng), 0, kt9a, k * 9, 9);
            System.arraycopy(Jigsaw.randomPermutation(9, rng), 0, kt9b, k * 9, 9);
        }
        int[] kt100kA = Jigsaw.randomPermutation(100_000, rng);
        int[] kt100kB = Jigsaw.randomPermutation(100_000, rng);
        writeInts(dir.resolve("kt9a.i32"), kt9a);
        writeInts(dir.resolve("kt9b.i32"), kt9b);
        writeInts(dir.resolve("kt100ka.i32"), kt100kA);
        writeInts(dir.resolve("kt100kb.i32"), kt100kB);

        Map<String, Double> scipy = ReferenceTimings.run(List.of("python3", "bench/matcher/scipy_matcher.py", dir.toString()));

        List<String[]> rows = new ArrayList<>();
        int cores = Runtime.getRuntime().availableProcessors();
        try (BatchMatcher matcher = new BatchMatcher(cores)) {
            // Warm the JIT on every size first, as a long-running service would be.
            for (int round = 0; round < 30; round++) {
                for (int n : BATCH_SIZES) {
                    matcher.solve(new Matrices(BATCH, n, n, matrices.get("batch" + n)), MatchOptions.MAXIMIZE, () -> false);
                }
            }
            for (int n : BATCH_SIZES) {
                Matrices x = new Matrices(BATCH, n, n, matrices.get("batch" + n));
                // 101 runs: medians over about a second, so a short noisy spell on the VM does not move them.
                double ours = Timing.median(5, 101, () -> matcher.solve(x, MatchOptions.MAXIMIZE, () -> false));
                rows.add(row("Match, 10,000 x " + n + "x" + n + ", in-process (" + cores + " threads)", ours, scipy.get("batch" + n)));
            }
            if (grpc != null) {
                ManagedChannel channel = ManagedChannelBuilder.forTarget(grpc).usePlaintext().maxInboundMessageSize(64 << 20).build();
                MatcherServiceGrpc.MatcherServiceBlockingStub stub = MatcherServiceGrpc.newBlockingStub(channel)
                        .withMaxOutboundMessageSize(64 << 20);
                for (int n : BATCH_SIZES) {
                    float[] x = matrices.get("batch" + n);
                    double ours = Timing.median(Timing.SERVICE_WARMUP, 15, () -> {
                        // Building the request is part of what a client pays.
                        stub.match(MatchRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(BATCH, n, n, x, false)).build());
                    });
                    rows.add(row("Match, 10,000 x " + n + "x" + n + ", over gRPC", ours, scipy.get("batch" + n)));
                    double bytes = Timing.median(Timing.SERVICE_WARMUP, 15, () -> {
                        // The same request with the matrices as little-endian bytes (values_f32le).
                        stub.match(MatchRequest.newBuilder().setMatrices(ProtoArrays.matrixBatch(BATCH, n, n, x, true)).build());
                    });
                    rows.add(row("Match, 10,000 x " + n + "x" + n + ", over gRPC, values_f32le", bytes, scipy.get("batch" + n)));
                }
                channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
            }
        }
        LinearAssignmentSolver solver = new LinearAssignmentSolver();
        for (int n : DENSE_SIZES) {
            float[] x = matrices.get("dense" + n);
            // Warm-up long enough for the JIT to recompile the row scans for long rows (the batches
            // before trained it on short ones): about 10 solves of 500x500.
            double ours = Timing.median(n >= 2000 ? 4 : 15, n >= 2000 ? 5 : 9, () -> solver.solveWithoutPotentials(AssignmentProblem.maximize(x, n, n), () -> false));
            rows.add(row("one dense " + n + "x" + n + " (1 thread)", ours, scipy.get("dense" + n)));
        }
        double kt9 = Timing.median(5, 15, () -> {
            int[] a = new int[9];
            int[] b = new int[9];
            for (int k = 0; k < BATCH; k++) {
                System.arraycopy(kt9a, k * 9, a, 0, 9);
                System.arraycopy(kt9b, k * 9, b, 0, 9);
                KendallTau.of(a, b);
            }
        });
        rows.add(row("Kendall tau, 10,000 pairs of 9-permutations", kt9, scipy.get("kt9")));
        double kt100k = Timing.median(5, 15, () -> KendallTau.of(kt100kA, kt100kB));
        rows.add(row("Kendall tau, one pair of 100,000-permutations", kt100k, scipy.get("kt100k")));

        System.out.println();
        System.out.println("| case | ours | SciPy | SciPy / ours |");
        System.out.println("|---|---:|---:|---:|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }

    private static String[] row(String name, double ours, Double reference) {
        return new String[] {name, Timing.seconds(ours), reference == null ? "-" : Timing.seconds(reference),
                reference == null ? "-" : String.format("%.1fx", reference / ours)};
    }

    private static float[] uniform(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int k = 0; k < n; k++) {
            x[k] = (float) rng.nextDouble();
        }
        return x;
    }

    static void writeFloats(Path file, float[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        Files.write(file, b.array());
    }

    static void writeInts(Path file, int[] values) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asIntBuffer().put(values);
        Files.write(file, b.array());
    }
}
