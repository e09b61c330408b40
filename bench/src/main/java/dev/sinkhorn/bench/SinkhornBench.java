package dev.sinkhorn.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import dev.sinkhorn.core.sinkhorn.SinkhornSettings;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.SinkhornRequest;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The inference benchmark: Sinkhorn with 20 iterations on [B, N, N], ours in-process (DJL on
 * libtorch) and over gRPC, beside PyTorch eager (bench/inference/torch_sinkhorn.py) with the same
 * threads in the same run. Arguments: PYTHON INFERENCE_GRPC_ADDRESS THREADS.
 */
public final class SinkhornBench {
    private static final int[][] SHAPES = {{64, 4}, {1024, 4}, {1024, 9}, {256, 36}, {16, 100}, {1, 1000}};

    public static void main(String[] args) throws Exception {
        String python = args[0];
        String address = args[1];
        String threads = args[2];
        Devices.forName("cpu"); // DJL offline before the engine starts
        List<String> torchCmd = new ArrayList<>(List.of(python, "bench/inference/torch_sinkhorn.py", threads));
        for (int[] s : SHAPES) {
            torchCmd.add(s[0] + "," + s[1]);
        }
        Map<String, Double> torch = ReferenceTimings.run(torchCmd);
        ManagedChannel channel = ManagedChannelBuilder.forTarget(address).usePlaintext().maxInboundMessageSize(64 << 20).build();
        InferenceServiceGrpc.InferenceServiceBlockingStub stub = InferenceServiceGrpc.newBlockingStub(channel)
                .withMaxOutboundMessageSize(64 << 20);
        List<String[]> rows = new ArrayList<>();
        try (NDManager manager = NDManager.newBaseManager()) {
            // Two passes over every shape: the first warms both JVMs (this one and the service's).
            for (int pass = 0; pass < 2; pass++) {
            rows.clear();
            SplittableRandom rng = new SplittableRandom(1);
            for (int[] s : SHAPES) {
                int b = s[0];
                int n = s[1];
                float[] x = new float[b * n * n];
                for (int k = 0; k < x.length; k++) {
                    x[k] = (float) rng.nextGaussian();
                }
                // About a second of calls per figure (at least 15): short noisy spells on this VM move medians of fewer.
                int runs = (int) Math.max(15, Math.min(400, 4e7 / ((long) b * n * n)));
                NDArray input = manager.create(x, new Shape(b, n, n));
                double ours = Timing.median(Math.max(3, runs / 5), runs, () -> {
                    try (NDManager m = manager.newSubManager()) {
                        NDArray in = input.duplicate();
                        in.attach(m);
                        SinkhornOps.sinkhornMatrices(in, 1f, 20);
                    }
                });
                double withDiagnostics = Timing.median(Math.max(3, runs / 5), runs, () -> {
                    try (NDManager m = manager.newSubManager()) {
                        NDArray in = input.duplicate();
                        in.attach(m);
                        SinkhornOps.sinkhorn(in, new SinkhornSettings(1f, 20, 0f));
                    }
                });
                SinkhornRequest req = SinkhornRequest.newBuilder().setLogAlpha(ProtoArrays.matrixBatch(b, n, n, x, false))
                        .setNIter(20).build();
                double grpc = Timing.median(Timing.SERVICE_WARMUP, runs, () -> stub.sinkhorn(req));
                SinkhornRequest bytesReq = SinkhornRequest.newBuilder().setLogAlpha(ProtoArrays.matrixBatch(b, n, n, x, true))
                        .setNIter(20).build();
                double grpcBytes = Timing.median(Timing.SERVICE_WARMUP, runs, () -> stub.sinkhorn(bytesReq));
                Double t = torch.get(b + "," + n);
                rows.add(new String[] {"[" + b + ", " + n + ", " + n + "]", String.format("%,d", (long) b * n * n), Timing.seconds(t),
                        Timing.seconds(ours), String.format("%.2f", ours / t), Timing.seconds(withDiagnostics),
                        Timing.seconds(grpc), String.format("%.2f", grpc / withDiagnostics), Timing.seconds(grpcBytes),
                        String.format("%.2f", grpcBytes / withDiagnostics)});
            }
            }
        } finally {
            channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        System.out.println();
        System.out.println("| shape | B*N*N | PyTorch eager | ours in-process | ours / PyTorch | in-process with diagnostics"
                + " | gRPC, values | / in-process | gRPC, values_f32le | / in-process |");
        System.out.println("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (String[] r : rows) {
            System.out.println("| " + String.join(" | ", r) + " |");
        }
    }
}
