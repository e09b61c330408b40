package dev.sinkhorn.matcher;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.sinkhorn.core.jigsaw.Jigsaw;
import dev.sinkhorn.core.matching.AssignmentProblem;
import dev.sinkhorn.core.matching.AssignmentResult;
import dev.sinkhorn.core.matching.Certificate;
import dev.sinkhorn.service.grpc.SingleResponse;
import dev.sinkhorn.v1.DualPotentials;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatchResponse;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.SampleMatchingRequest;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.quarkus.test.junit.QuarkusTest;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** MatcherService through a real gRPC channel to the running service. */
@QuarkusTest
class MatcherGrpcTest {
    private static ManagedChannel channel;
    private static MatcherServiceGrpc.MatcherServiceBlockingStub stub;
    private static MatcherServiceGrpc.MatcherServiceStub async;

    @BeforeAll
    static void connect() {
        channel = ManagedChannelBuilder.forAddress("127.0.0.1", 19093).usePlaintext().maxInboundMessageSize(64 << 20).build();
        stub = MatcherServiceGrpc.newBlockingStub(channel).withMaxOutboundMessageSize(64 << 20);
        async = MatcherServiceGrpc.newStub(channel);
    }

    @AfterAll
    static void disconnect() throws InterruptedException {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }

    static MatrixBatch batch(int b, int r, int c, float... values) {
        MatrixBatch.Builder m = MatrixBatch.newBuilder().setBatch(b).setRows(r).setCols(c);
        for (float v : values) {
            m.addValues(v);
        }
        return m.build();
    }

    static Permutation perm(int... index) {
        Permutation.Builder p = Permutation.newBuilder();
        for (int i : index) {
            p.addIndex(i);
        }
        return p.build();
    }

    static int[] indices(Permutation p) {
        return p.getIndexList().stream().mapToInt(Integer::intValue).toArray();
    }

    /** Asserts the call fails with the code and a message containing every fragment, then that the service still answers. */
    static void assertStatus(Status.Code code, Executable call, String... fragments) {
        StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call::execute);
        assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
        for (String f : fragments) {
            assertTrue(e.getStatus().getDescription().contains(f), "'" + e.getStatus().getDescription() + "' lacks '" + f + "'");
        }
        MatchResponse ok = stub.match(MatchRequest.newBuilder().setMatrices(batch(1, 2, 2, 0, 1, 1, 0)).build());
        assertArrayEquals(new int[] {1, 0}, indices(ok.getAssignments(0)), "the service keeps serving");
    }

    @Test
    void matchesMaximisingByDefaultAndMinimisingOnRequest() {
        MatrixBatch m = batch(2, 3, 3, 4, 1, 3, 2, 0, 5, 3, 2, 2, /* second */ 1, 0, 0, 0, 1, 0, 0, 0, 1);
        MatchResponse max = stub.match(MatchRequest.newBuilder().setMatrices(m).build());
        assertArrayEquals(new int[] {0, 2, 1}, indices(max.getAssignments(0)));
        assertEquals(11.0, max.getObjective(0));
        assertArrayEquals(new int[] {0, 1, 2}, indices(max.getAssignments(1)));
        assertEquals(3.0, max.getObjective(1));
        MatchResponse min = stub.match(MatchRequest.newBuilder().setMatrices(m).setMinimize(true).build());
        assertArrayEquals(new int[] {1, 0, 2}, indices(min.getAssignments(0)));
        assertEquals(5.0, min.getObjective(0));
    }

    @Test
    void acceptsEntriesAsLittleEndianBytes() {
        float[] x = {4, 1, 3, 2, 0, 5, 3, 2, 2};
        java.nio.ByteBuffer buf = java.nio.ByteBuffer.allocate(36).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(x);
        MatrixBatch bytes = MatrixBatch.newBuilder().setBatch(1).setRows(3).setCols(3)
                .setValuesF32Le(com.google.protobuf.ByteString.copyFrom(buf.array())).build();
        assertEquals(stub.match(MatchRequest.newBuilder().setMatrices(batch(1, 3, 3, x)).build()),
                stub.match(MatchRequest.newBuilder().setMatrices(bytes).build()));
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder()
                .setMatrices(bytes.toBuilder().addValues(1)).build()), "set values or values_f32le");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder()
                .setMatrices(bytes.toBuilder().setValuesF32Le(bytes.getValuesF32Le().substring(0, 35))).build()), "not both");
    }

    @Test
    void returnsCertifiedPotentialsAndMarksUnassignedRows() {
        SplittableRandom rng = new SplittableRandom(9);
        float[] x = new float[5 * 3];
        for (int k = 0; k < x.length; k++) {
            x[k] = (float) rng.nextGaussian();
        }
        MatchResponse r = stub.match(MatchRequest.newBuilder().setMatrices(batch(1, 5, 3, x)).setIncludePotentials(true).build());
        int[] rowToCol = indices(r.getAssignments(0));
        assertEquals(2, java.util.Arrays.stream(rowToCol).filter(c -> c == -1).count(), "5 rows, 3 columns: 2 unassigned");
        assertEquals(0xFFFFFFFFL, Integer.toUnsignedLong(rowToCol[java.util.Arrays.asList(
                java.util.Arrays.stream(rowToCol).boxed().toArray()).indexOf(-1)]));
        DualPotentials d = r.getPotentials(0);
        Certificate.check(AssignmentProblem.maximize(x, 5, 3), new AssignmentResult(rowToCol, r.getObjective(0),
                d.getUList().stream().mapToDouble(Double::doubleValue).toArray(),
                d.getVList().stream().mapToDouble(Double::doubleValue).toArray(), d.getTransposed(),
                -r.getObjective(0)));
    }

    @Test
    void scoresKendallTauAndThePapersMetrics() {
        ScoreResponse s = stub.score(ScoreRequest.newBuilder()
                .addTruth(perm(0, 1, 2, 3)).addPredicted(perm(0, 1, 2, 3))
                .addTruth(perm(0, 1, 2, 3)).addPredicted(perm(1, 0, 2, 3))
                .build());
        assertEquals(2, s.getCount());
        assertEquals(1.0, s.getKendallTau(0));
        assertEquals(2.0 / 3, s.getKendallTau(1), 1e-15);
        assertEquals((1 + 2.0 / 3) / 2, s.getMeanKendallTau(), 1e-15);
        assertEquals(2.0 / 8, s.getPropWrong());
        assertEquals(0.5, s.getPropAnyWrong());
        // Without the items' content no two items are known to be identical: both views agree.
        assertEquals(s.getMeanKendallTau(), s.getInterchangeable().getMeanKendallTau());
        assertEquals(s.getPropAnyWrong(), s.getInterchangeable().getPropAnyWrong());
    }

    @Test
    void identicalItemsAreInterchangeableWhenTheirContentIsSent() {
        // Items 0 and 1 of each pair are identical (blank pieces); 2 and 3 differ from everything.
        // Pair 1 swaps the two identical items (the picture is right); pair 2 swaps two distinct ones.
        dev.sinkhorn.v1.Tensor items = dev.sinkhorn.v1.Tensor.newBuilder().addShape(2).addShape(4).addShape(2)
                .addAllValues(java.util.List.of(0f, 0f, 0f, 0f, 1f, 2f, 3f, 4f, 0f, 0f, 0f, 0f, 1f, 2f, 3f, 4f)).build();
        ScoreResponse s = stub.score(ScoreRequest.newBuilder()
                .addTruth(perm(0, 1, 2, 3)).addPredicted(perm(1, 0, 2, 3))
                .addTruth(perm(0, 1, 2, 3)).addPredicted(perm(0, 1, 3, 2))
                .setItems(items).build());
        // Positional: both pairs have two misplaced items, tau 2/3 each.
        assertEquals(2.0 / 3, s.getMeanKendallTau(), 1e-15);
        assertEquals(4.0 / 8, s.getPropWrong());
        assertEquals(1.0, s.getPropAnyWrong());
        // Interchangeable: pair 1 is right (tau 1), pair 2 keeps its error.
        assertEquals((1 + 2.0 / 3) / 2, s.getInterchangeable().getMeanKendallTau(), 1e-15);
        assertEquals(2.0 / 8, s.getInterchangeable().getPropWrong());
        assertEquals(0.5, s.getInterchangeable().getPropAnyWrong());
        // l1: pair 1 moves identical content (0), pair 2 swaps (3, 4) against (1, 2): |3-1|+|4-2| twice over 16 values.
        assertEquals(8.0 / 16, s.getL1(), 1e-12);
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.score(ScoreRequest.newBuilder().addTruth(perm(0, 1)).addPredicted(perm(0, 1))
                .setItems(dev.sinkhorn.v1.Tensor.newBuilder().addShape(1).addShape(3).addShape(1).addAllValues(java.util.List.of(0f, 0f, 0f)))
                .build()));
    }

    @Test
    void matchAndScoreStreamsAWholeTestSet() throws Exception {
        SplittableRandom rng = new SplittableRandom(4);
        SingleResponse<ScoreResponse> response = new SingleResponse<>();
        CompletableFuture<ScoreResponse> result = response.future();
        StreamObserver<MatchAndScoreRequest> in = async.matchAndScore(response);
        int n = 9;
        int messages = 20;
        int perMessage = 50;
        int wrongItems = 0;
        for (int m = 0; m < messages; m++) {
            MatchAndScoreRequest.Builder req = MatchAndScoreRequest.newBuilder();
            // Item content: item i of every matrix is the single value i (one misplacement of two
            // items whose values differ by d adds 2|d| to the l1 sum).
            dev.sinkhorn.v1.Tensor.Builder items = dev.sinkhorn.v1.Tensor.newBuilder().addShape(perMessage).addShape(n).addShape(1);
            MatrixBatch.Builder mb = MatrixBatch.newBuilder().setBatch(perMessage).setRows(n).setCols(n);
            for (int b = 0; b < perMessage; b++) {
                int[] truth = Jigsaw.randomPermutation(n, rng);
                // Scores that put piece i at truth[i], except that every 10th item swaps the pieces
                // belonging at positions 0 and 1 (adjacent positions: exactly one discordant pair).
                int[] target = truth.clone();
                if ((m * perMessage + b) % 10 == 0) {
                    int at0 = indexOf(truth, 0);
                    int at1 = indexOf(truth, 1);
                    target[at0] = 1;
                    target[at1] = 0;
                    wrongItems++;
                }
                for (int i = 0; i < n; i++) {
                    for (int j = 0; j < n; j++) {
                        mb.addValues(j == target[i] ? 5f + (float) rng.nextDouble() : (float) rng.nextDouble());
                    }
                    items.addValues(truth[i]); // the item's own true position: swapped items differ by 1
                }
                req.addTruth(perm(truth));
            }
            in.onNext(req.setMatrices(mb).setItems(items).build());
        }
        in.onCompleted();
        ScoreResponse s = result.get(60, TimeUnit.SECONDS);
        assertEquals(messages * perMessage, s.getCount());
        assertEquals((double) wrongItems / s.getCount(), s.getPropAnyWrong(), 1e-12);
        assertEquals(2.0 * wrongItems / (s.getCount() * n), s.getPropWrong(), 1e-12);
        // One swap of two pieces among 9: 36 pairs, 35 concordant, 1 discordant: tau = 34/36.
        double expectedTau = ((s.getCount() - wrongItems) * 1.0 + wrongItems * (34.0 / 36)) / s.getCount();
        assertEquals(expectedTau, s.getMeanKendallTau(), 1e-12);
        assertEquals(0, s.getKendallTauCount(), "per-item values are not kept for streams");
        // Each wrong item misplaces two values by 1: l1 = l2 = 2 * wrong / (count * n).
        assertEquals(2.0 * wrongItems / (s.getCount() * n), s.getL1(), 1e-12);
        assertEquals(2.0 * wrongItems / (s.getCount() * n), s.getL2(), 1e-12);
        // Every item's content differs (its true position): nothing is interchangeable.
        assertEquals(s.getMeanKendallTau(), s.getInterchangeable().getMeanKendallTau(), 1e-12);
        assertEquals(s.getPropAnyWrong(), s.getInterchangeable().getPropAnyWrong(), 1e-12);
    }

    @Test
    void matchAndScoreRejectsAnInconsistentMessage() {
        SingleResponse<ScoreResponse> response = new SingleResponse<>();
        CompletableFuture<ScoreResponse> result = response.future();
        StreamObserver<MatchAndScoreRequest> in = async.matchAndScore(response);
        in.onNext(MatchAndScoreRequest.newBuilder().setMatrices(batch(1, 2, 2, 1, 0, 0, 1)).addTruth(perm(0, 1)).build());
        in.onNext(MatchAndScoreRequest.newBuilder().setMatrices(batch(1, 3, 3, 1, 0, 0, 0, 1, 0, 0, 0, 1)).addTruth(perm(0, 1, 2)).build());
        in.onCompleted();
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> unwrap(result), "message 1: matrices are 3 x 3 but earlier messages had 2 x 2");
    }

    @Test
    void sampleMatchingIsSeededAndExact() {
        SampleMatchingRequest req = SampleMatchingRequest.newBuilder()
                .setLogAlpha(batch(2, 3, 3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 9, 0, 0, 0, 9))
                .setNSamples(40).setSeed(5).build();
        MatchResponse a = stub.sampleMatching(req);
        MatchResponse b = stub.sampleMatching(req);
        assertEquals(80, a.getAssignmentsCount());
        assertEquals(a, b, "same seed, same samples");
        assertNotEquals(a, stub.sampleMatching(req.toBuilder().setSeed(6).build()));
        long distinctForFlat = a.getAssignmentsList().subList(0, 40).stream().distinct().count();
        assertTrue(distinctForFlat >= 5, "all-zero scores: noise alone decides, " + distinctForFlat + " of 6 permutations seen");
        long identityForPeaked = a.getAssignmentsList().subList(40, 80).stream().filter(p -> p.equals(perm(0, 1, 2))).count();
        assertTrue(identityForPeaked >= 38, "peaked scores: the identity in " + identityForPeaked + " of 40");
    }

    @Test
    void rejectsMalformedMatrices() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder().setMatrices(batch(2, 2, 2, 1, 2, 3)).build()),
                "matrices: values has 3 entries but batch*rows*cols = 2*2*2 = 8");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder().setMatrices(batch(0, 2, 2)).build()),
                "batch, rows and cols must all be >= 1");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder()
                        .setMatrices(batch(2, 2, 3, 0, 0, 0, 0, 0, 0, 0, 0, Float.NaN, 0, 0, 0)).build()),
                "matrix 1 has NaN at row 0, column 2");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder()
                        .setMatrices(batch(1, 2, 2, 0, Float.POSITIVE_INFINITY, 0, 0)).build()),
                "matrix 0 has Infinity at row 0, column 1");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder()
                        .setMatrices(batch(2, 2, 2, 1, 0, 0, 1, Float.NEGATIVE_INFINITY, Float.NEGATIVE_INFINITY, 0, 1)).build()),
                "infeasible: matrix 1: row 0 cannot be matched");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.match(MatchRequest.newBuilder().setMinimize(true)
                        .setMatrices(batch(1, 2, 2, 1, Float.NEGATIVE_INFINITY, 0, 1)).build()),
                "matrix 0 has -Infinity at row 0, column 1");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.sampleMatching(SampleMatchingRequest.newBuilder()
                        .setLogAlpha(batch(1, 1, 1, 1)).setNoiseFactor(-1).build()), "noise_factor must be >= 0 and finite");
    }

    @Test
    void rejectsRequestsAboveTheCaps() {
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> stub.match(MatchRequest.newBuilder()
                .setMatrices(MatrixBatch.newBuilder().setBatch(1).setRows(5000).setCols(2)).build()), "rows = 5000 exceeds the cap of 4096");
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> stub.match(MatchRequest.newBuilder()
                .setMatrices(MatrixBatch.newBuilder().setBatch(1000).setRows(200).setCols(200)).build()),
                "batch*rows*cols = 40000000 exceeds the cap of 16777216 elements");
        assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> stub.sampleMatching(SampleMatchingRequest.newBuilder()
                .setLogAlpha(batch(1, 2, 2, 0, 0, 0, 0)).setNSamples(5_000_000).build()), "n_samples * batch*rows*cols = 20000000");
    }

    @Test
    void rejectsInvalidPermutations() {
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.score(ScoreRequest.newBuilder()
                .addTruth(perm(0, 1, 2)).addPredicted(perm(0, 1, 1)).build()), "predicted[0].index[2] = 1 repeats an earlier entry");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.score(ScoreRequest.newBuilder()
                .addTruth(perm(0, 1, 3)).addPredicted(perm(0, 1, 2)).build()), "truth[0].index[2] = 3 is out of range [0, 3)");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.score(ScoreRequest.newBuilder()
                .addTruth(perm(0, 1, 2)).addPredicted(perm(0, 1)).build()), "predicted[0] has 2 entries, expected 3");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.score(ScoreRequest.newBuilder()
                .addTruth(perm(0, 1)).addTruth(perm(1, 0)).addPredicted(perm(0, 1)).build()),
                "truth has 2 permutations but predicted has 1");
        assertStatus(Status.Code.INVALID_ARGUMENT, () -> stub.score(ScoreRequest.newBuilder()
                .addTruth(perm(-1, 0)).addPredicted(perm(0, 1)).build()), "truth[0].index[0] = 4294967295 is out of range");
    }

    @Test
    void honoursDeadlines() {
        int n = 1500;
        SplittableRandom rng = new SplittableRandom(1);
        MatrixBatch.Builder m = MatrixBatch.newBuilder().setBatch(4).setRows(n).setCols(n);
        for (int k = 0; k < 4 * n * n; k++) {
            m.addValues((float) rng.nextDouble());
        }
        MatchRequest big = MatchRequest.newBuilder().setMatrices(m).build();
        assertStatus(Status.Code.DEADLINE_EXCEEDED, () -> stub.withDeadlineAfter(300, TimeUnit.MILLISECONDS).match(big));
    }

    private static int indexOf(int[] a, int value) {
        for (int i = 0; i < a.length; i++) {
            if (a[i] == value) {
                return i;
            }
        }
        throw new IllegalArgumentException(value + " not found");
    }


    private static void unwrap(CompletableFuture<?> f) throws Exception {
        try {
            f.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw (Exception) e.getCause();
        }
    }

    interface Executable {
        void execute() throws Exception;
    }
}
