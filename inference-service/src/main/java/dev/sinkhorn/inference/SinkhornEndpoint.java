package dev.sinkhorn.inference;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.core.matching.Matrices;
import dev.sinkhorn.core.model.Devices;
import dev.sinkhorn.core.random.GumbelSampling;
import dev.sinkhorn.core.sinkhorn.SinkhornOps;
import dev.sinkhorn.core.sinkhorn.SinkhornResult;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import java.util.function.Function;

/**
 * The Sinkhorn operator and Gumbel-Sinkhorn samples as the Sinkhorn and GumbelSinkhorn RPCs
 * define them: field defaults and caps, core's {@link SinkhornOps} on the request's matrices, the
 * answer in the request's encoding. Runs on the {@link ComputeThread}; {@code cancelled} stops the
 * work of a call whose client has gone.
 */
@ApplicationScoped
public class SinkhornEndpoint {
    @Inject
    InferenceConfig config;

    private MatrixBatchValidator validator;

    @PostConstruct
    void init() {
        validator = new MatrixBatchValidator(Integer.MAX_VALUE, Integer.MAX_VALUE, config.maxElements());
    }

    SinkhornResponse sinkhorn(SinkhornRequest request, BooleanSupplier cancelled) {
        ValidatedBatch v = validator.validate("log_alpha", request.getLogAlpha(), true);
        if (!(request.getTolerance() >= 0) || !Float.isFinite(request.getTolerance())) {
            throw new InvalidInputException("tolerance must be >= 0 and finite, got " + request.getTolerance());
        }
        SinkhornSettings settings = new SinkhornSettings(tau(request.getTau()), iterations(request.getNIter()), request.getTolerance());
        return apply(v, x -> SinkhornOps.sinkhorn(x, settings, cancelled));
    }

    SinkhornResponse gumbelSinkhorn(GumbelSinkhornRequest request, BooleanSupplier cancelled) {
        ValidatedBatch v = validator.validate("log_alpha", request.getLogAlpha(), true);
        SinkhornSettings settings = SinkhornSettings.of(tau(request.getTau()), iterations(request.getNIter()));
        GumbelSampling sampling = SamplingFields.parse(request.getNSamples(), request.getNoiseFactor(), v.matrices().elements(),
                config.maxSamples(), config.maxElements());
        long seed = request.hasSeed() ? request.getSeed() : ThreadLocalRandom.current().nextLong();
        return apply(v, x -> SinkhornOps.gumbelSinkhorn(x, settings, sampling, seed, cancelled));
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

    /** Runs a Sinkhorn op on the batch ([B, N, N], on a manager closed after the call) and answers in the request's encoding. */
    private static SinkhornResponse apply(ValidatedBatch v, Function<NDArray, SinkhornResult> op) {
        Matrices in = v.matrices();
        int n = in.rows();
        try (NDManager m = NDManager.newBaseManager(Devices.forName("auto"))) {
            SinkhornResult r = op.apply(m.create(in.values(), new Shape(in.batch(), n, n)));
            float[] out = r.matrices().toFloatArray();
            SinkhornResponse.Builder b = SinkhornResponse.newBuilder()
                    .setMatrices(ProtoArrays.matrixBatch(out.length / (n * n), n, n, out, v.bytes())).setIterations(r.iterations());
            for (float e : r.maxMarginalError()) {
                b.addMaxMarginalError(e);
            }
            return b.build();
        }
    }
}
