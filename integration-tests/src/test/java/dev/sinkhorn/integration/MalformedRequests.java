package dev.sinkhorn.integration;

import com.google.protobuf.ByteString;
import com.google.protobuf.Message;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.InferenceServiceGrpc;
import dev.sinkhorn.v1.JobRef;
import dev.sinkhorn.v1.ListJobsRequest;
import dev.sinkhorn.v1.ListModelsRequest;
import dev.sinkhorn.v1.MatchAndScoreRequest;
import dev.sinkhorn.v1.MatchRequest;
import dev.sinkhorn.v1.MatcherServiceGrpc;
import dev.sinkhorn.v1.MatrixBatch;
import dev.sinkhorn.v1.ModelSpec;
import dev.sinkhorn.v1.Permutation;
import dev.sinkhorn.v1.PredictRequest;
import dev.sinkhorn.v1.SampleMatchingRequest;
import dev.sinkhorn.v1.ScoreRequest;
import dev.sinkhorn.v1.ScoreResponse;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.Tensor;
import dev.sinkhorn.v1.SweepAxis;
import dev.sinkhorn.v1.SweepRef;
import dev.sinkhorn.v1.SweepSpec;
import dev.sinkhorn.v1.TrainerServiceGrpc;
import dev.sinkhorn.v1.TrainingSpec;
import dev.sinkhorn.v1.WatchRequest;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

/**
 * A generator of malformed requests for every RPC of the three services. Each {@link Mutation}
 * makes one request that is wrong in a known way (drawn at random within that way, from a seeded
 * generator), sends it over a real channel and returns the status code; it also says which codes
 * are the right answers to it. Nothing here can be a valid request, so no call starts a job or
 * changes state. Besides wrong content: bytes that are not the message at all, 1 ms deadlines,
 * and streams the client abandons half-way.
 */
final class MalformedRequests {
    /** Every code a well-behaved service may answer to some malformed request. */
    static final Set<Status.Code> CLEAN = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.NOT_FOUND, Status.Code.FAILED_PRECONDITION, Status.Code.DEADLINE_EXCEEDED, Status.Code.CANCELLED);

    private static final Set<Status.Code> INVALID = EnumSet.of(Status.Code.INVALID_ARGUMENT);
    private static final Set<Status.Code> INVALID_OR_TOO_BIG = EnumSet.of(Status.Code.INVALID_ARGUMENT, Status.Code.RESOURCE_EXHAUSTED);

    /** One way to be wrong: what it is, the codes that answer it correctly, and the call itself. */
    record Mutation(String name, Set<Status.Code> expected, Function<SplittableRandom, Status.Code> call) {
    }

    /** An RPC and its mutations, tried in turn. */
    record Rpc(String name, List<Mutation> mutations) {
    }

    private final ManagedChannel matcher;
    private final ManagedChannel inference;
    private final ManagedChannel trainer;
    private final String model;

    /** {@code model}: a 2x2 MNIST model the inference service serves, for Predict's pieces to be wrong against. */
    MalformedRequests(ManagedChannel matcher, ManagedChannel inference, ManagedChannel trainer, String model) {
        this.matcher = matcher;
        this.inference = inference;
        this.trainer = trainer;
        this.model = model;
    }

    List<Rpc> rpcs() {
        return List.of(match(), score(), matchAndScore(), sampleMatching(), sinkhorn(), gumbelSinkhorn(), predict(),
                listModels(), startTraining(), watchTraining(), cancelTraining(), listJobs(), startSweep(), watchSweep());
    }

    // ---- matcher ----

    private Rpc match() {
        MethodDescriptor<MatchRequest, ?> m = MatcherServiceGrpc.getMatchMethod();
        List<Mutation> ms = new ArrayList<>();
        for (BadBatch bad : BadBatch.except(BadBatch.NOT_SQUARE, BadBatch.INFINITE)) { // both mean something to Match
            ms.add(unary(matcher, m, "matrices: " + bad.what, bad.expected,
                    r -> MatchRequest.newBuilder().setMatrices(bad.make(r, false)).setMinimize(r.nextBoolean()).build()));
        }
        ms.add(unary(matcher, m, "no matrices", INVALID, r -> MatchRequest.newBuilder().setIncludePotentials(true).build()));
        return new Rpc("MatcherService/Match", withWireFaults(matcher, m, ms, r -> MatchRequest.newBuilder()
                .setMatrices(BadBatch.COUNT_MISMATCH.make(r, false)).build()));
    }

    private Rpc score() {
        MethodDescriptor<ScoreRequest, ?> m = MatcherServiceGrpc.getScoreMethod();
        List<Mutation> ms = new ArrayList<>();
        for (BadPermutations bad : BadPermutations.values()) {
            ms.add(unary(matcher, m, bad.what, INVALID, r -> {
                int n = 2 + r.nextInt(12);
                int count = 1 + r.nextInt(20);
                ScoreRequest.Builder b = ScoreRequest.newBuilder();
                for (int i = 0; i < count; i++) {
                    b.addTruth(permutation(r, n));
                    b.addPredicted(permutation(r, n));
                }
                return bad.spoil(b, r, n).build();
            }));
        }
        return new Rpc("MatcherService/Score", withWireFaults(matcher, m, ms, r -> ScoreRequest.newBuilder()
                .addTruth(permutation(r, 4)).build()));
    }

    private Rpc matchAndScore() {
        MethodDescriptor<MatchAndScoreRequest, ScoreResponse> m = MatcherServiceGrpc.getMatchAndScoreMethod();
        List<Mutation> ms = new ArrayList<>();
        ms.add(clientStream(m, "a chunk whose matrices are wrong", INVALID_OR_TOO_BIG, false, r -> {
            List<BadBatch> bads = BadBatch.except(BadBatch.NOT_SQUARE, BadBatch.INFINITE);
            BadBatch bad = bads.get(r.nextInt(bads.size()));
            return List.of(validChunk(r, 4), MatchAndScoreRequest.newBuilder().setMatrices(bad.make(r, true)).build());
        }));
        ms.add(clientStream(m, "truth count differs from the matrices", INVALID, false, r -> {
            MatchAndScoreRequest c = validChunk(r, 5);
            return List.of(c.toBuilder().addTruth(permutation(r, 5)).build());
        }));
        ms.add(clientStream(m, "truth not a permutation", INVALID, false, r -> {
            MatchAndScoreRequest c = validChunk(r, 5);
            return List.of(c.toBuilder().setTruth(0, Permutation.newBuilder().addIndex(0).addIndex(0).addIndex(1).addIndex(2)
                    .addIndex(3)).build());
        }));
        ms.add(clientStream(m, "chunks of different sizes", INVALID, false, r -> List.of(validChunk(r, 4), validChunk(r, 6))));
        ms.add(clientStream(m, "items whose shape does not fit", INVALID, false, r -> {
            MatchAndScoreRequest c = validChunk(r, 4);
            int b = c.getMatrices().getBatch();
            return List.of(c.toBuilder().setItems(Tensor.newBuilder().addShape(b).addShape(4 + 1 + r.nextInt(3)).addShape(2)
                    .setValuesF32Le(ProtoArrays.encode(new float[b * (5 + 2) * 2]))).build());
        }));
        ms.add(clientStream(m, "an empty stream", INVALID, false, r -> List.of()));
        ms.add(clientStream(m, "abandoned half-way (the client cancels)", EnumSet.of(Status.Code.CANCELLED), true,
                r -> List.of(validChunk(r, 4), validChunk(r, 4))));
        ms.add(clientStream(m, "1 ms deadline", EnumSet.of(Status.Code.DEADLINE_EXCEEDED, Status.Code.INVALID_ARGUMENT), false,
                r -> List.of(validChunk(r, 9).toBuilder().addTruth(permutation(r, 9)).build()), 1));
        return new Rpc("MatcherService/MatchAndScore", ms);
    }

    private Rpc sampleMatching() {
        MethodDescriptor<SampleMatchingRequest, ?> m = MatcherServiceGrpc.getSampleMatchingMethod();
        List<Mutation> ms = new ArrayList<>();
        for (BadBatch bad : BadBatch.except(BadBatch.NOT_SQUARE)) { // rectangular matchings are fine
            ms.add(unary(matcher, m, "log_alpha: " + bad.what, bad.expected,
                    r -> SampleMatchingRequest.newBuilder().setLogAlpha(bad.make(r, true)).setNSamples(1 + r.nextInt(4)).build()));
        }
        ms.add(unary(matcher, m, "n_samples above the cap", INVALID_OR_TOO_BIG, r -> SampleMatchingRequest.newBuilder()
                .setLogAlpha(valid(r, 2, 4)).setNSamples(50_000_000 + r.nextInt(1 << 30)).build()));
        ms.add(unary(matcher, m, "noise_factor negative or not finite", INVALID, r -> SampleMatchingRequest.newBuilder()
                .setLogAlpha(valid(r, 2, 4)).setNSamples(1).setNoiseFactor(badNonNegative(r)).build()));
        return new Rpc("MatcherService/SampleMatching", withWireFaults(matcher, m, ms, r -> SampleMatchingRequest.newBuilder()
                .setLogAlpha(BadBatch.NOT_A_NUMBER.make(r, true)).build()));
    }

    // ---- inference ----

    private Rpc sinkhorn() {
        MethodDescriptor<SinkhornRequest, ?> m = InferenceServiceGrpc.getSinkhornMethod();
        List<Mutation> ms = new ArrayList<>();
        for (BadBatch bad : BadBatch.values()) {
            ms.add(unary(inference, m, "log_alpha: " + bad.what, bad.expected,
                    r -> SinkhornRequest.newBuilder().setLogAlpha(bad.make(r, r.nextBoolean())).setNIter(20).build()));
        }
        ms.add(unary(inference, m, "tau zero, negative or not finite", INVALID,
                r -> SinkhornRequest.newBuilder().setLogAlpha(valid(r, 2, 5)).setTau(badPositive(r)).build()));
        ms.add(unary(inference, m, "n_iter above the cap", INVALID_OR_TOO_BIG,
                r -> SinkhornRequest.newBuilder().setLogAlpha(valid(r, 2, 5)).setNIter(1_000_000 + r.nextInt(1 << 30)).build()));
        ms.add(unary(inference, m, "tolerance negative or not finite", INVALID,
                r -> SinkhornRequest.newBuilder().setLogAlpha(valid(r, 2, 5)).setTolerance(badNonNegative(r)).build()));
        return new Rpc("InferenceService/Sinkhorn", withWireFaults(inference, m, ms, r -> SinkhornRequest.newBuilder()
                .setLogAlpha(BadBatch.NOT_SQUARE.make(r, false)).build()));
    }

    private Rpc gumbelSinkhorn() {
        MethodDescriptor<GumbelSinkhornRequest, ?> m = InferenceServiceGrpc.getGumbelSinkhornMethod();
        List<Mutation> ms = new ArrayList<>();
        for (BadBatch bad : BadBatch.values()) {
            ms.add(unary(inference, m, "log_alpha: " + bad.what, bad.expected,
                    r -> GumbelSinkhornRequest.newBuilder().setLogAlpha(bad.make(r, true)).setNSamples(1).build()));
        }
        ms.add(unary(inference, m, "n_samples above the cap", INVALID_OR_TOO_BIG, r -> GumbelSinkhornRequest.newBuilder()
                .setLogAlpha(valid(r, 2, 5)).setNSamples(50_000_000 + r.nextInt(1 << 30)).build()));
        ms.add(unary(inference, m, "noise_factor negative or not finite", INVALID, r -> GumbelSinkhornRequest.newBuilder()
                .setLogAlpha(valid(r, 2, 5)).setNSamples(1).setNoiseFactor(badNonNegative(r)).build()));
        ms.add(unary(inference, m, "tau zero, negative or not finite", INVALID, r -> GumbelSinkhornRequest.newBuilder()
                .setLogAlpha(valid(r, 2, 5)).setNSamples(1).setTau(badPositive(r)).build()));
        return new Rpc("InferenceService/GumbelSinkhorn", withWireFaults(inference, m, ms, r -> GumbelSinkhornRequest.newBuilder()
                .setLogAlpha(BadBatch.ZERO_DIMENSION.make(r, true)).build()));
    }

    private Rpc predict() {
        MethodDescriptor<PredictRequest, ?> m = InferenceServiceGrpc.getPredictMethod();
        List<Mutation> ms = new ArrayList<>();
        ms.add(unary(inference, m, "model name not allowed", INVALID, r -> PredictRequest.newBuilder()
                .setModel(badModelName(r)).setPieces(pieces(r, 1, 4, 14)).build()));
        ms.add(unary(inference, m, "a version that was never published", EnumSet.of(Status.Code.NOT_FOUND),
                r -> PredictRequest.newBuilder().setModel(model).setVersion(1_000_000 + r.nextInt(1 << 20))
                        .setPieces(pieces(r, 1, 4, 14)).build()));
        ms.add(unary(inference, m, "pieces of another puzzle size", INVALID, r -> PredictRequest.newBuilder().setModel(model)
                .setPieces(pieces(r, 1, r.nextBoolean() ? 9 : 16, r.nextBoolean() ? 9 : 7)).build()));
        ms.add(unary(inference, m, "a model nobody published", EnumSet.of(Status.Code.NOT_FOUND), r -> PredictRequest.newBuilder()
                .setModel("never-published-" + r.nextInt(1_000_000)).setPieces(pieces(r, 1, 4, 14)).build()));
        ms.add(unary(inference, m, "pieces of the wrong rank", INVALID, r -> {
            Tensor.Builder t = Tensor.newBuilder();
            int rank = r.nextBoolean() ? 1 + r.nextInt(3) : 6 + r.nextInt(3);
            int count = 1;
            for (int i = 0; i < rank; i++) {
                int d = 1 + r.nextInt(4);
                t.addShape(d);
                count *= d;
            }
            return PredictRequest.newBuilder().setModel(model).setPieces(t.setValuesF32Le(ProtoArrays.encode(new float[count]))).build();
        }));
        ms.add(unary(inference, m, "pieces: value count differs from the shape", INVALID, r -> {
            Tensor t = pieces(r, 2, 4, 14);
            return PredictRequest.newBuilder().setModel(model).setPieces(t.toBuilder()
                    .setValuesF32Le(t.getValuesF32Le().substring(0, t.getValuesF32Le().size() - 4 * (1 + r.nextInt(10))))).build();
        }));
        ms.add(unary(inference, m, "pieces: not finite", INVALID, r -> {
            float[] v = new float[2 * 4 * 14 * 14];
            v[r.nextInt(v.length)] = r.nextBoolean() ? Float.NaN : Float.POSITIVE_INFINITY;
            return PredictRequest.newBuilder().setModel(model).setPieces(Tensor.newBuilder().addShape(2).addShape(4).addShape(1)
                    .addShape(14).addShape(14).setValuesF32Le(ProtoArrays.encode(v))).build();
        }));
        ms.add(unary(inference, m, "no pieces", INVALID, r -> PredictRequest.newBuilder().setModel(model).build()));
        ms.add(unary(inference, m, "pieces shape declaring billions of values", INVALID_OR_TOO_BIG, r -> PredictRequest.newBuilder()
                .setModel(model).setPieces(Tensor.newBuilder().addShape(1 << 20).addShape(4).addShape(1).addShape(1 << 10)
                        .addShape(1 << 10)).build()));
        return new Rpc("InferenceService/Predict", withWireFaults(inference, m, ms, r -> PredictRequest.newBuilder()
                .setModel(badModelName(r)).build()));
    }

    private Rpc listModels() {
        // No field to get wrong: only the bytes and the deadline.
        return new Rpc("InferenceService/ListModels", withWireFaults(inference, InferenceServiceGrpc.getListModelsMethod(),
                new ArrayList<>(), r -> ListModelsRequest.getDefaultInstance()));
    }

    // ---- trainer ----

    private Rpc startTraining() {
        MethodDescriptor<TrainingSpec, ?> m = TrainerServiceGrpc.getStartTrainingMethod();
        List<Mutation> ms = new ArrayList<>();
        ms.add(unary(trainer, m, "one or more fields out of range", INVALID, this::badSpec));
        ms.add(unary(trainer, m, "model name missing or not allowed", INVALID,
                r -> TrainingSpec.newBuilder().setModel(badModelName(r)).setEpochs(1).build()));
        ms.add(unary(trainer, m, "architecture that cannot be built", INVALID, r -> TrainingSpec.newBuilder()
                .setModel("fuzz").setSpec(ModelSpec.newBuilder().setGrid(r.nextBoolean() ? 1 : 29 + r.nextInt(100))
                        .setKernelSize(r.nextBoolean() ? 2 : 64 + r.nextInt(10)).setTau(badPositive(r))).build()));
        ms.add(unary(trainer, m, "data set unknown or a path outside the data directory", INVALID,
                r -> TrainingSpec.newBuilder().setModel("fuzz").setDataset(r.nextBoolean() ? "imagenet-" + r.nextInt(100)
                        : "idx:../../etc/" + r.nextInt(100)).build()));
        return new Rpc("TrainerService/StartTraining", withWireFaults(trainer, m, ms, this::badSpec));
    }

    private Rpc watchTraining() {
        MethodDescriptor<WatchRequest, ?> m = TrainerServiceGrpc.getWatchTrainingMethod();
        Set<Status.Code> unknown = EnumSet.of(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT);
        List<Mutation> ms = new ArrayList<>();
        ms.add(serverStream(trainer, m, "a job that does not exist", unknown,
                r -> WatchRequest.newBuilder().setJobId(UUID.randomUUID().toString()).build(), 10_000));
        ms.add(serverStream(trainer, m, "no job id", unknown, r -> WatchRequest.getDefaultInstance(), 10_000));
        ms.add(serverStream(trainer, m, "a job id of garbage", unknown, r -> WatchRequest.newBuilder().setJobId(garbage(r)).build(),
                10_000));
        ms.add(serverStream(trainer, m, "1 ms deadline", EnumSet.of(Status.Code.NOT_FOUND, Status.Code.DEADLINE_EXCEEDED),
                r -> WatchRequest.newBuilder().setJobId(UUID.randomUUID().toString()).build(), 1));
        ms.add(garbled(trainer, m));
        return new Rpc("TrainerService/WatchTraining", ms);
    }

    private Rpc cancelTraining() {
        MethodDescriptor<JobRef, ?> m = TrainerServiceGrpc.getCancelTrainingMethod();
        Set<Status.Code> unknown = EnumSet.of(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT);
        List<Mutation> ms = new ArrayList<>();
        ms.add(unary(trainer, m, "a job that does not exist", unknown,
                r -> JobRef.newBuilder().setJobId(UUID.randomUUID().toString()).build()));
        ms.add(unary(trainer, m, "no job id", unknown, r -> JobRef.getDefaultInstance()));
        ms.add(unary(trainer, m, "a job id of garbage", unknown, r -> JobRef.newBuilder().setJobId(garbage(r)).build()));
        return new Rpc("TrainerService/CancelTraining", withWireFaults(trainer, m, ms,
                r -> JobRef.newBuilder().setJobId(UUID.randomUUID().toString()).build()));
    }

    private Rpc listJobs() {
        return new Rpc("TrainerService/ListJobs", withWireFaults(trainer, TrainerServiceGrpc.getListJobsMethod(), new ArrayList<>(),
                r -> ListJobsRequest.getDefaultInstance()));
    }

    private Rpc startSweep() {
        MethodDescriptor<SweepSpec, ?> m = TrainerServiceGrpc.getStartSweepMethod();
        List<Mutation> ms = new ArrayList<>();
        ms.add(unary(trainer, m, "a base spec with fields out of range", INVALID, r -> SweepSpec.newBuilder().setName("fuzz")
                .setBase(badSpec(r)).addGrid(SweepAxis.newBuilder().setField("seed").addValues(1).addValues(2)).build()));
        ms.add(unary(trainer, m, "an axis that is not a field", INVALID, r -> SweepSpec.newBuilder().setName("fuzz")
                .addGrid(SweepAxis.newBuilder().setField(garbage(r)).addValues(1)).build()));
        ms.add(unary(trainer, m, "an axis without values, or a fraction for a whole field", INVALID, r -> SweepSpec.newBuilder()
                .setName("fuzz").addGrid(r.nextBoolean() ? SweepAxis.newBuilder().setField("tau").build()
                        : SweepAxis.newBuilder().setField("epochs").addValues(0.5 + r.nextInt(10)).build()).build()));
        ms.add(unary(trainer, m, "name missing or not allowed", INVALID, r -> SweepSpec.newBuilder().setName(badModelName(r))
                .addGrid(SweepAxis.newBuilder().setField("seed").addValues(1)).build()));
        ms.add(unary(trainer, m, "more points than trainer.max-sweep-points", EnumSet.of(Status.Code.RESOURCE_EXHAUSTED), r -> {
            SweepAxis.Builder a = SweepAxis.newBuilder().setField("seed");
            for (int k = 0; k < 65 + r.nextInt(1000); k++) {
                a.addValues(k);
            }
            return SweepSpec.newBuilder().setName("fuzz").addGrid(a).build();
        }));
        return new Rpc("TrainerService/StartSweep", withWireFaults(trainer, m, ms, r -> SweepSpec.newBuilder().setName("fuzz").build()));
    }

    private Rpc watchSweep() {
        MethodDescriptor<SweepRef, ?> m = TrainerServiceGrpc.getWatchSweepMethod();
        Set<Status.Code> unknown = EnumSet.of(Status.Code.NOT_FOUND, Status.Code.INVALID_ARGUMENT);
        List<Mutation> ms = new ArrayList<>();
        ms.add(serverStream(trainer, m, "a sweep that does not exist", unknown,
                r -> SweepRef.newBuilder().setSweepId(UUID.randomUUID().toString()).build(), 10_000));
        ms.add(serverStream(trainer, m, "no sweep id, or garbage", unknown,
                r -> SweepRef.newBuilder().setSweepId(r.nextBoolean() ? "" : garbage(r)).build(), 10_000));
        ms.add(garbled(trainer, m));
        return new Rpc("TrainerService/WatchSweep", ms);
    }

    // ---- the generic faults ----

    /**
     * Adds to an RPC's own mutations: bytes that do not parse as its request, and a 1 ms deadline on
     * {@code request} (answered by the validation, or the deadline passes first).
     */
    private <Q extends Message> List<Mutation> withWireFaults(ManagedChannel channel, MethodDescriptor<Q, ?> m, List<Mutation> ms,
            Function<SplittableRandom, Q> request) {
        ms.add(garbled(channel, m));
        // The list RPCs take no input: their request is valid, and may be answered within 1 ms.
        Set<Status.Code> expected = EnumSet.copyOf(CLEAN);
        if (request.apply(new SplittableRandom(0)).equals(request.apply(new SplittableRandom(0)).getDefaultInstanceForType())) {
            expected.add(Status.Code.OK);
        }
        ms.add(new Mutation("1 ms deadline", expected, r -> {
            try {
                ClientCalls.blockingUnaryCall(channel, m, CallOptions.DEFAULT.withDeadlineAfter(1, TimeUnit.MILLISECONDS),
                        request.apply(r));
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
        }));
        return ms;
    }

    /**
     * Bytes that cannot parse as the request: a field number 0, a wire type that does not exist,
     * or a length-delimited field longer than the message.
     */
    private Mutation garbled(ManagedChannel channel, MethodDescriptor<?, ?> m) {
        MethodDescriptor<byte[], byte[]> raw = MethodDescriptor.<byte[], byte[]>newBuilder().setType(m.getType())
                .setFullMethodName(m.getFullMethodName()).setRequestMarshaller(RAW).setResponseMarshaller(RAW).build();
        return new Mutation("bytes that are not the request message", INVALID, r -> {
            byte[] body = new byte[1 + r.nextInt(64)];
            r.nextBytes(body);
            switch (r.nextInt(3)) {
                case 0 -> body[0] = 0; // field number 0
                case 1 -> body[0] = (byte) ((1 + r.nextInt(15)) << 3 | (6 + r.nextInt(2))); // wire types 6 and 7 do not exist
                default -> {
                    body = java.util.Arrays.copyOf(body, Math.max(2, body.length));
                    body[0] = (byte) (1 << 3 | 2); // field 1, length-delimited ...
                    body[1] = (byte) Math.min(127, body.length + 1 + r.nextInt(100)); // ... longer than what follows
                }
            }
            try {
                if (m.getType() == MethodDescriptor.MethodType.SERVER_STREAMING) {
                    Iterator<byte[]> it = ClientCalls.blockingServerStreamingCall(channel, raw,
                            CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
                    while (it.hasNext()) {
                        it.next();
                    }
                } else {
                    ClientCalls.blockingUnaryCall(channel, raw, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS), body);
                }
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
        });
    }

    private static <Q extends Message> Mutation unary(ManagedChannel channel, MethodDescriptor<Q, ?> m, String name,
            Set<Status.Code> expected, Function<SplittableRandom, Q> request) {
        return new Mutation(name, expected, r -> {
            try {
                ClientCalls.blockingUnaryCall(channel.newCall(m, CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS)
                        .withMaxOutboundMessageSize(64 << 20)), request.apply(r));
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
        });
    }

    private static <Q extends Message> Mutation serverStream(ManagedChannel channel, MethodDescriptor<Q, ?> m, String name,
            Set<Status.Code> expected, Function<SplittableRandom, Q> request, long deadlineMs) {
        return new Mutation(name, expected, r -> {
            try {
                Iterator<?> it = ClientCalls.blockingServerStreamingCall(channel, m,
                        CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS), request.apply(r));
                while (it.hasNext()) {
                    it.next();
                }
                return Status.Code.OK;
            } catch (StatusRuntimeException e) {
                return e.getStatus().getCode();
            }
        });
    }

    private Mutation clientStream(MethodDescriptor<MatchAndScoreRequest, ScoreResponse> m, String name, Set<Status.Code> expected,
            boolean abandon, Function<SplittableRandom, List<MatchAndScoreRequest>> chunks) {
        return clientStream(m, name, expected, abandon, chunks, 30_000);
    }

    /**
     * Sends the chunks on a MatchAndScore stream and half-closes it, or (abandon) cancels the call
     * after the chunks, as a client that dies half-way would.
     */
    private Mutation clientStream(MethodDescriptor<MatchAndScoreRequest, ScoreResponse> m, String name, Set<Status.Code> expected,
            boolean abandon, Function<SplittableRandom, List<MatchAndScoreRequest>> chunks, long deadlineMs) {
        return new Mutation(name, expected, r -> {
            CompletableFuture<Status.Code> done = new CompletableFuture<>();
            ClientCall<MatchAndScoreRequest, ScoreResponse> call = matcher.newCall(m,
                    CallOptions.DEFAULT.withDeadlineAfter(deadlineMs, TimeUnit.MILLISECONDS));
            StreamObserver<MatchAndScoreRequest> out = ClientCalls.asyncClientStreamingCall(call, new StreamObserver<>() {
                @Override
                public void onNext(ScoreResponse value) {
                }

                @Override
                public void onError(Throwable t) {
                    done.complete(Status.fromThrowable(t).getCode());
                }

                @Override
                public void onCompleted() {
                    done.complete(Status.Code.OK);
                }
            });
            try {
                for (MatchAndScoreRequest c : chunks.apply(r)) {
                    out.onNext(c);
                }
                if (abandon) {
                    call.cancel("the client gave up half-way", null);
                } else {
                    out.onCompleted();
                }
            } catch (RuntimeException e) {
                // The call ended under us (the server answered the first bad chunk): its status is in done.
            }
            try {
                return done.get(60, TimeUnit.SECONDS);
            } catch (InterruptedException | ExecutionException | TimeoutException e) {
                throw new IllegalStateException(name + ": no answer within 60 s", e);
            }
        });
    }

    // ---- ways for a matrix batch to be wrong ----

    enum BadBatch {
        COUNT_MISMATCH("value count differs from batch x rows x cols", INVALID),
        BYTES_NOT_FLOATS("values_f32le length not a multiple of 4", INVALID),
        BOTH_ENCODINGS("values and values_f32le both set", INVALID),
        NOT_A_NUMBER("a NaN value", INVALID),
        INFINITE("an infinite value", INVALID),
        ZERO_DIMENSION("batch, rows or cols zero", INVALID),
        NOT_SQUARE("rows differ from cols", INVALID),
        HUGE("dimensions declaring billions of values", INVALID_OR_TOO_BIG);

        final String what;
        final Set<Status.Code> expected;

        BadBatch(String what, Set<Status.Code> expected) {
            this.what = what;
            this.expected = expected;
        }

        static List<BadBatch> except(BadBatch... valid) {
            EnumSet<BadBatch> all = EnumSet.allOf(BadBatch.class);
            all.removeAll(List.of(valid));
            return List.copyOf(all);
        }

        MatrixBatch make(SplittableRandom r, boolean bytes) {
            int b = 1 + r.nextInt(8);
            int n = 2 + r.nextInt(9);
            float[] v = randomValues(r, b * n * n);
            return switch (this) {
                case COUNT_MISMATCH -> ProtoArrays.matrixBatch(b, n, n, java.util.Arrays.copyOf(v,
                        r.nextBoolean() ? v.length - 1 - r.nextInt(n) : v.length + 1 + r.nextInt(n)), bytes);
                case BYTES_NOT_FLOATS -> {
                    ByteString enc = ProtoArrays.encode(v);
                    yield MatrixBatch.newBuilder().setBatch(b).setRows(n).setCols(n)
                            .setValuesF32Le(enc.concat(ByteString.copyFrom(new byte[1 + r.nextInt(3)]))).build();
                }
                case BOTH_ENCODINGS -> ProtoArrays.matrixBatch(b, n, n, v, true).toBuilder().addValues(1f).build();
                case NOT_A_NUMBER -> {
                    v[r.nextInt(v.length)] = Float.NaN;
                    yield ProtoArrays.matrixBatch(b, n, n, v, bytes);
                }
                case INFINITE -> {
                    v[r.nextInt(v.length)] = r.nextBoolean() ? Float.POSITIVE_INFINITY : Float.NEGATIVE_INFINITY;
                    yield ProtoArrays.matrixBatch(b, n, n, v, bytes);
                }
                case ZERO_DIMENSION -> switch (r.nextInt(3)) {
                    case 0 -> ProtoArrays.matrixBatch(0, n, n, new float[0], bytes);
                    case 1 -> ProtoArrays.matrixBatch(b, 0, n, new float[0], bytes);
                    default -> ProtoArrays.matrixBatch(b, n, 0, new float[0], bytes);
                };
                case NOT_SQUARE -> {
                    int cols = n + 1 + r.nextInt(3);
                    yield ProtoArrays.matrixBatch(b, n, cols, randomValues(r, b * n * cols), bytes);
                }
                case HUGE -> MatrixBatch.newBuilder().setBatch(1 << (10 + r.nextInt(10))).setRows(1 << 12).setCols(1 << 12)
                        .setValuesF32Le(ProtoArrays.encode(v)).build();
            };
        }
    }

    /** Ways for Score's permutations to be wrong. */
    enum BadPermutations {
        DUPLICATE("predicted has an index twice") {
            @Override
            ScoreRequest.Builder spoil(ScoreRequest.Builder b, SplittableRandom r, int n) {
                int i = r.nextInt(b.getPredictedCount());
                Permutation p = b.getPredicted(i);
                return b.setPredicted(i, p.toBuilder().setIndex(0, p.getIndex(1)));
            }
        },
        OUT_OF_RANGE("truth has an index past its length") {
            @Override
            ScoreRequest.Builder spoil(ScoreRequest.Builder b, SplittableRandom r, int n) {
                int i = r.nextInt(b.getTruthCount());
                return b.setTruth(i, b.getTruth(i).toBuilder().setIndex(r.nextInt(n), n + r.nextInt(1000)));
            }
        },
        LENGTHS_DIFFER("a predicted permutation longer than its truth") {
            @Override
            ScoreRequest.Builder spoil(ScoreRequest.Builder b, SplittableRandom r, int n) {
                int i = r.nextInt(b.getPredictedCount());
                return b.setPredicted(i, b.getPredicted(i).toBuilder().addIndex(n));
            }
        },
        COUNTS_DIFFER("more predicted than truth") {
            @Override
            ScoreRequest.Builder spoil(ScoreRequest.Builder b, SplittableRandom r, int n) {
                return b.addPredicted(permutation(r, n));
            }
        },
        EMPTY("nothing to score") {
            @Override
            ScoreRequest.Builder spoil(ScoreRequest.Builder b, SplittableRandom r, int n) {
                return ScoreRequest.newBuilder();
            }
        };

        final String what;

        BadPermutations(String what) {
            this.what = what;
        }

        abstract ScoreRequest.Builder spoil(ScoreRequest.Builder b, SplittableRandom r, int n);
    }

    // ---- building blocks ----

    private TrainingSpec badSpec(SplittableRandom r) {
        TrainingSpec.Builder s = TrainingSpec.newBuilder().setModel("fuzz").setEpochs(1);
        // At least one field surely out of range, others maybe.
        int first = r.nextInt(6);
        for (int k = 0; k < 6; k++) {
            if (k != first && r.nextInt(3) != 0) {
                continue;
            }
            switch (k) {
                case 0 -> s.setEpochs(r.nextBoolean() ? 100_000 + r.nextInt(1 << 20) : -1 - r.nextInt(100));
                case 1 -> s.setBatchSize(100_000 + r.nextInt(1 << 20));
                case 2 -> s.setLearningRate(r.nextBoolean() ? -r.nextFloat() - 0.01f : r.nextBoolean() ? Float.NaN : 2 + r.nextFloat());
                case 3 -> s.setDevice("tpu-" + r.nextInt(10));
                case 4 -> s.setPreset("turbo-" + r.nextInt(10));
                default -> s.setNoiseFactor(badNonNegative(r));
            }
        }
        return s.build();
    }

    private static MatchAndScoreRequest validChunk(SplittableRandom r, int n) {
        int b = 1 + r.nextInt(4);
        MatchAndScoreRequest.Builder c = MatchAndScoreRequest.newBuilder().setMatrices(valid(r, b, n));
        for (int i = 0; i < b; i++) {
            c.addTruth(permutation(r, n));
        }
        return c.build();
    }

    private static MatrixBatch valid(SplittableRandom r, int b, int n) {
        return ProtoArrays.matrixBatch(b, n, n, randomValues(r, b * n * n), true);
    }

    private static Tensor pieces(SplittableRandom r, int b, int p, int side) {
        return Tensor.newBuilder().addShape(b).addShape(p).addShape(1).addShape(side).addShape(side)
                .setValuesF32Le(ProtoArrays.encode(randomValues(r, b * p * side * side))).build();
    }

    static Permutation permutation(SplittableRandom r, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        Permutation.Builder b = Permutation.newBuilder();
        for (int i : p) {
            b.addIndex(i);
        }
        return b.build();
    }

    private static float[] randomValues(SplittableRandom r, int count) {
        float[] v = new float[Math.max(0, count)];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static float badPositive(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> -r.nextFloat() - 1e-3f;
            case 1 -> Float.NaN;
            default -> Float.POSITIVE_INFINITY; // (0 and -0 mean "the default")
        };
    }

    private static float badNonNegative(SplittableRandom r) {
        return switch (r.nextInt(3)) {
            case 0 -> -r.nextFloat() - 1e-3f;
            case 1 -> Float.NaN;
            default -> Float.POSITIVE_INFINITY;
        };
    }

    private static String badModelName(SplittableRandom r) {
        return switch (r.nextInt(4)) {
            case 0 -> "";
            case 1 -> "has space " + r.nextInt(100);
            case 2 -> "x".repeat(65 + r.nextInt(100));
            default -> "../" + r.nextInt(100);
        };
    }

    private static String garbage(SplittableRandom r) {
        StringBuilder s = new StringBuilder();
        int n = r.nextInt(300);
        for (int i = 0; i < n; i++) {
            s.appendCodePoint(1 + r.nextInt(0x2FFF));
        }
        return s.toString();
    }

    private static final MethodDescriptor.Marshaller<byte[]> RAW = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
}
