package dev.sinkhorn.inference;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.core.random.GumbelSampling;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import dev.sinkhorn.core.sinkhorn.SinkhornSettings;
import dev.sinkhorn.service.grpc.MatrixBatchValidator;
import dev.sinkhorn.service.grpc.ProtoArrays;
import dev.sinkhorn.service.grpc.SamplingFields;
import dev.sinkhorn.service.grpc.ValidatedBatch;
import dev.sinkhorn.v1.GumbelSinkhornRequest;
import dev.sinkhorn.v1.SinkhornRequest;
import dev.sinkhorn.v1.SinkhornResponse;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;

/**
 * The Sinkhorn operator and Gumbel-Sinkhorn samples as the Sinkhorn and GumbelSinkhorn RPCs
 * define them: field defaults and caps checked on the calling thread, then core's
 * {@link SinkhornOps} on the request's matrices as a {@link SinkhornPass} through the
 * {@link DynamicBatcher} (on the compute thread, in one pass with other callers' requests of the
 * same size and settings), the answer in the request's encoding. {@code gone} drops or stops the
 * work of a call whose client has gone.
 */
@ApplicationScoped
public class SinkhornEndpoint {
    @Inject
    InferenceConfig config;
    @Inject
    DynamicBatcher batcher;

    private MatrixBatchValidator validator;

    @PostConstruct
    void init() {
        validator = new MatrixBatchValidator(Integer.MAX_VALUE, Integer.MAX_VALUE, config.maxElements());
    }

    CompletableFuture<SinkhornResponse> sinkhorn(SinkhornRequest request, BooleanSupplier gone) {
        ValidatedBatch v = validator.validate("log_alpha", request.getLogAlpha(), true);
        if (!(request.getTolerance() >= 0) || !Float.isFinite(request.getTolerance())) {
            throw new InvalidInputException("tolerance must be >= 0 and finite, got " + request.getTolerance());
        }
        SinkhornSettings settings = new SinkhornSettings(tau(request.getTau()), iterations(request.getNIter()), request.getTolerance());
        return submit(v, settings, null, 0L, gone);
    }

    CompletableFuture<SinkhornResponse> gumbelSinkhorn(GumbelSinkhornRequest request, BooleanSupplier gone) {
        ValidatedBatch v = validator.validate("log_alpha", request.getLogAlpha(), true);
        SinkhornSettings settings = SinkhornSettings.of(tau(request.getTau()), iterations(request.getNIter()));
        GumbelSampling sampling = SamplingFields.parse(request.getNSamples(), request.getNoiseFactor(), v.matrices().elements(),
                config.maxSamples(), config.maxElements());
        long seed = request.hasSeed() ? request.getSeed() : ThreadLocalRandom.current().nextLong();
        return submit(v, settings, sampling, seed, gone);
    }

    private int iterations(int nIter) {
        long n = nIter == 0 ? 20 : Integer.toUnsignedLong(nIter);
        if (n > config.maxIterations()) {
            throw new LimitExceededException("n_iter = " + n + " exceeds the cap of " + config.maxIterations());
        }
        return (int) n;
    }

    private static float tau(float value) {
        float v = value == 0f ? 1f : value;
        if (!(v > 0) || !Float.isFinite(v)) {
            throw new InvalidInputException("tau must be > 0 and finite, got " + value);
        }
        return v;
    }

    /** Queues the batch's matrices for their pass; the answer is in the request's encoding. */
    private CompletableFuture<SinkhornResponse> submit(ValidatedBatch v, SinkhornSettings settings, GumbelSampling sampling, long seed,
                                                       BooleanSupplier gone) {
        Matrices in = v.matrices();
        int n = in.rows();
        SinkhornPass.Matrices input = new SinkhornPass.Matrices(in.values(), in.batch(), sampling, seed);
        return batcher.submit(new SinkhornPass(n, settings), input, gone).thenApply(r -> {
            SinkhornResponse.Builder b = SinkhornResponse.newBuilder()
                    .setMatrices(ProtoArrays.matrixBatch(input.outputs(), n, n, r.matrices(), v.bytes())).setIterations(r.iterations());
            for (float e : r.maxMarginalError()) {
                b.addMaxMarginalError(e);
            }
            return b.build();
        });
    }
}
