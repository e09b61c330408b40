package dev.sinkhorn.bench;

import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.Tensor;
import io.grpc.ManagedChannel;
import java.util.SplittableRandom;
import java.util.function.Supplier;

/**
 * The RPC calls the service benches send, built once from seeded random data (values_f32le), so a
 * call sends the same bytes every time and gets the same answer back (every one is deterministic).
 * A call returns its response message.
 */
final class BenchCalls {
    private BenchCalls() {
    }

    /** Match of {@code batch} random n x n matrices. */
    static Supplier<com.google.protobuf.Message> match(ManagedChannel channel, int batch, int n) {
        MatchRequest r = MatchRequest.newBuilder()
                .setMatrices(ProtoArrays.matrixBatch(batch, n, n, gaussian(new SplittableRandom(5), batch * n * n), true)).build();
        MatcherServiceGrpc.MatcherServiceBlockingStub stub = MatcherServiceGrpc.newBlockingStub(channel)
                .withMaxOutboundMessageSize(64 << 20);
        return () -> stub.match(r);
    }

    /** Sinkhorn of [batch, n, n] random log-alphas, 20 iterations. */
    static Supplier<com.google.protobuf.Message> sinkhorn(ManagedChannel channel, int batch, int n) {
        SinkhornRequest r = SinkhornRequest.newBuilder()
                .setLogAlpha(ProtoArrays.matrixBatch(batch, n, n, gaussian(new SplittableRandom(5), batch * n * n), true))
                .setNIter(20).build();
        InferenceServiceGrpc.InferenceServiceBlockingStub stub = InferenceServiceGrpc.newBlockingStub(channel)
                .withMaxOutboundMessageSize(64 << 20);
        return () -> stub.sinkhorn(r);
    }

    /** Predict (soft) of {@code puzzles} random 2x2 puzzles of 28 px images on {@code model}. */
    static Supplier<com.google.protobuf.Message> predict(ManagedChannel channel, String model, int puzzles) {
        float[] x = gaussian(new SplittableRandom(5), puzzles * 4 * 14 * 14);
        for (int k = 0; k < x.length; k++) {
            x[k] = Math.abs(x[k]) % 1f;
        }
        PredictRequest r = PredictRequest.newBuilder().setModel(model).setPieces(Tensor.newBuilder()
                .addShape(puzzles).addShape(4).addShape(1).addShape(14).addShape(14)
                .setValuesF32Le(ProtoArrays.encode(x))).build();
        InferenceServiceGrpc.InferenceServiceBlockingStub stub = InferenceServiceGrpc.newBlockingStub(channel);
        return () -> stub.predict(r);
    }

    private static float[] gaussian(SplittableRandom rng, int n) {
        float[] x = new float[n];
        for (int k = 0; k < n; k++) {
            x[k] = (float) rng.nextGaussian();
        }
        return x;
    }
}
