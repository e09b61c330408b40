package dev.sinkhorn.inference;

import static dev.sinkhorn.inference.GrpcClients.INFERENCE;
import static dev.sinkhorn.inference.GrpcClients.assertStatus;
import static dev.sinkhorn.inference.GrpcClients.batch;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.sinkhorn.SinkhornReference;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.testing.KafkaTestResource;
import dev.sinkhorn.testing.RequiresKafka;
import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.SinkhornResponse;
import io.grpc.Status;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Sinkhorn and GumbelSinkhorn over a real gRPC channel. */
@QuarkusTest
@RequiresKafka
@QuarkusTestResource(KafkaTestResource.class)
@QuarkusTestResource(MatcherProcessResource.class)
class SinkhornGrpcTest {

    private static float[] random(int size, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        float[] x = new float[size];
        for (int k = 0; k < size; k++) {
            x[k] = (float) rng.nextGaussian();
        }
        return x;
    }

    @Test
    void sinkhornEqualsTheReferenceAndReportsItsConvergence() {
        int b = 3;
        int n = 6;
        float[] x = random(b * n * n, 1);
        SinkhornResponse r = INFERENCE.sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(batch(b, n, x)).setTau(0.7f)
                .setNIter(100).build());
        assertEquals(b, r.getMatrices().getBatch());
        assertEquals(100, r.getIterations());
        for (int k = 0; k < b; k++) {
            double[] ref = SinkhornReference.sinkhorn(x, k * n * n, n, 0.7, 100);
            for (int e = 0; e < n * n; e++) {
                assertEquals(ref[e], r.getMatrices().getValues(k * n * n + e), 1e-5);
            }
            assertTrue(r.getMaxMarginalError(k) < 1e-4);
        }
        SinkhornResponse early = INFERENCE.sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(batch(b, n, x))
                .setNIter(5000).setTolerance(1e-3f).build());
        assertTrue(early.getIterations() < 5000, "stopped early after " + early.getIterations());
        for (float e : early.getMaxMarginalErrorList()) {
            assertTrue(e <= 1e-3f);
        }
        // Defaults: tau 1, n_iter 20.
        assertEquals(20, INFERENCE.sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(batch(b, n, x)).build()).getIterations());
    }

    @Test
    void answersInTheByteFormWhenAskedInIt() {
        float[] x = random(2 * 5 * 5, 3);
        SinkhornResponse plain = INFERENCE.sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(batch(2, 5, x)).build());
        SinkhornResponse bytes = INFERENCE.sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(dev.sinkhorn.v1.MatrixBatch.newBuilder()
                .setBatch(2).setRows(5).setCols(5).setValuesF32Le(dev.sinkhorn.service.grpc.ProtoArrays.encode(x))).build());
        assertEquals(0, bytes.getMatrices().getValuesCount());
        assertEquals(50 * 4, bytes.getMatrices().getValuesF32Le().size());
        float[] decoded = dev.sinkhorn.service.grpc.ProtoArrays.values(bytes.getMatrices());
        for (int k = 0; k < 50; k++) {
            assertEquals(plain.getMatrices().getValues(k), decoded[k]);
        }
    }

    @Test
    void gumbelSinkhornSamplesAreSeededAndLaidOutPerInput() {
        float[] x = random(2 * 4 * 4, 2);
        GumbelSinkhornRequest req = GumbelSinkhornRequest.newBuilder().setLogAlpha(batch(2, 4, x)).setTau(0.5f)
                .setNSamples(3).setSeed(11).build();
        SinkhornResponse a = INFERENCE.gumbelSinkhorn(req);
        assertEquals(6, a.getMatrices().getBatch());
        assertEquals(6, a.getMaxMarginalErrorCount());
        assertEquals(a, INFERENCE.gumbelSinkhorn(req));
        assertNotEquals(a, INFERENCE.gumbelSinkhorn(req.toBuilder().setSeed(12).build()));
        GumbelSinkhornRequest unseeded = req.toBuilder().clearSeed().build();
        assertNotEquals(INFERENCE.gumbelSinkhorn(unseeded), INFERENCE.gumbelSinkhorn(unseeded));
    }

    @Test
    void rejectsBadInputAndKeepsServing() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.sinkhorn(SinkhornRequest.newBuilder()
                .setLogAlpha(dev.sinkhorn.v1.MatrixBatch.newBuilder().setBatch(1).setRows(2).setCols(3)
                        .addValues(0).addValues(0).addValues(0).addValues(0).addValues(0).addValues(0)).build()),
                "log_alpha: matrices must be square, got 2 x 3");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.sinkhorn(SinkhornRequest.newBuilder()
                .setLogAlpha(batch(1, 2, 0, 0, 0)).build()), "values has 3 entries");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.sinkhorn(SinkhornRequest.newBuilder()
                .setLogAlpha(batch(2, 2, 0, 0, 0, 0, 0, Float.NaN, 0, 0)).build()), "matrix 1 has NaN at row 0, column 1");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> INFERENCE.sinkhorn(SinkhornRequest.newBuilder()
                .setLogAlpha(batch(1, 2, 0, 0, 0, 0)).setTau(-1).build()), "tau must be > 0");
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> INFERENCE.sinkhorn(SinkhornRequest.newBuilder()
                .setLogAlpha(batch(1, 2, 0, 0, 0, 0)).setNIter(20000).build()), "n_iter = 20000 exceeds the cap of 10000");
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> INFERENCE.gumbelSinkhorn(GumbelSinkhornRequest.newBuilder()
                .setLogAlpha(batch(1, 2, 0, 0, 0, 0)).setNSamples(5000).build()), "n_samples = 5000 exceeds the cap of 1000");
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> INFERENCE.sinkhorn(SinkhornRequest.newBuilder()
                .setLogAlpha(dev.sinkhorn.v1.MatrixBatch.newBuilder().setBatch(100000).setRows(20).setCols(20)).build()),
                "exceeds the cap of 16777216 elements");
        assertEquals(1, INFERENCE.sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(batch(1, 2, 0, 0, 0, 0)).build())
                .getMatrices().getBatch(), "still serving");
    }

    @Test
    void workForACallPastItsDeadlineStopsAndTheServiceKeepsServing() {
        // 10,000 iterations over 160,000 entries take ~13 s here, far longer than the 100 ms the caller allows.
        SinkhornRequest slow = SinkhornRequest.newBuilder()
                .setLogAlpha(ProtoArrays.matrixBatch(16, 100, 100, random(16 * 100 * 100, 5), true)).setNIter(10000).build();
        assertStatus(Status.Code.DEADLINE_EXCEEDED, () -> INFERENCE.withDeadlineAfter(100, TimeUnit.MILLISECONDS).sinkhorn(slow));
        // The next call is answered long before the abandoned work would have ended: it was stopped.
        SinkhornResponse r = INFERENCE.withDeadlineAfter(3, TimeUnit.SECONDS)
                .sinkhorn(SinkhornRequest.newBuilder().setLogAlpha(batch(1, 2, 0, 0, 0, 0)).build());
        assertEquals(0.5f, r.getMatrices().getValues(0), 1e-6f, "still serving, right answers");
    }
}
