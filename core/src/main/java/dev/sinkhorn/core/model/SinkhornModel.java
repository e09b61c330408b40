package dev.sinkhorn.core.model;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ScoringNetwork} with its parameters and the input normalisation of its data set
 * (mean 0, std 1 for sorting: lists are fed as they are):
 * what a checkpoint holds, ready to predict. Owns an NDManager; close it to free the parameters.
 * {@link #logAlpha} may be called from several threads at once.
 */
public final class SinkhornModel implements AutoCloseable {
    private final ModelSpec spec;
    private final float pixelMean;
    private final float pixelStd;
    private final NDManager manager;
    private final ScoringNetwork network;

    private SinkhornModel(ModelSpec spec, float pixelMean, float pixelStd, NDManager manager, ScoringNetwork network) {
        this.spec = spec;
        this.pixelMean = pixelMean;
        this.pixelStd = pixelStd;
        this.manager = manager;
        this.network = network;
    }

    /** A new network with randomly initialised parameters on {@code device}. */
    public static SinkhornModel initialize(ModelSpec spec, float pixelMean, float pixelStd, Device device) {
        return initialize(spec, pixelMean, pixelStd, device, java.util.concurrent.ThreadLocalRandom.current().nextLong());
    }

    /** A new network initialised from {@code seed} (PyTorch's default scheme; same seed, same parameters). */
    public static SinkhornModel initialize(ModelSpec spec, float pixelMean, float pixelStd, Device device, long seed) {
        NDManager manager = NDManager.newBaseManager(device);
        ScoringNetwork network = ScoringNetwork.of(spec, seed);
        network.initialize(manager);
        return new SinkhornModel(spec, pixelMean, pixelStd, manager, network);
    }

    /**
     * A network with the given parameters (DJL's saveParameters format). Parameters that do not fit
     * the spec exactly (DJL would silently reshape the block), or that hold more than it needs, are
     * rejected.
     *
     * @throws MalformedModelException when the bytes do not parse or a parameter's shape differs
     */
    public static SinkhornModel fromParameters(ModelSpec spec, float pixelMean, float pixelStd, byte[] parameters,
                                               Device device) throws MalformedModelException {
        SinkhornModel model = initialize(spec, pixelMean, pixelStd, device);
        try {
            List<Shape> expected = model.parameterShapes();
            ByteArrayInputStream bytes = new ByteArrayInputStream(parameters);
            model.network.loadParameters(model.manager, new DataInputStream(bytes));
            if (bytes.available() > 0) {
                throw new MalformedModelException(bytes.available() + " bytes left over after the parameters the spec needs");
            }
            List<Shape> actual = model.parameterShapes();
            if (!expected.equals(actual)) {
                throw new MalformedModelException("parameter shapes " + actual + " do not fit the spec, which needs " + expected);
            }
            // Loaded arrays come without gradients; trainable parameters need them to train on (resume).
            for (Pair<String, Parameter> p : model.network.getParameters()) {
                if (p.getValue().requiresGradient()) {
                    p.getValue().getArray().setRequiresGradient(true);
                }
            }
            return model;
        } catch (IOException | RuntimeException e) {
            model.close();
            throw new MalformedModelException("parameters do not parse: " + e, e);
        } catch (MalformedModelException e) {
            model.close();
            throw e;
        }
    }

    public ModelSpec spec() {
        return spec;
    }

    public float pixelMean() {
        return pixelMean;
    }

    public float pixelStd() {
        return pixelStd;
    }

    public ScoringNetwork network() {
        return network;
    }

    public NDManager manager() {
        return manager;
    }

    /** The parameters in DJL's saveParameters format (what a Checkpoint carries). */
    public byte[] parameters() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            network.saveParameters(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /**
     * Scores scrambled inputs (inference mode: BatchNorm uses its running statistics).
     *
     * @param pieces [batch, P, C, h, w] pixel intensities in [0, 1] (normalised here), or for a
     *               sorting model lists [batch, N]
     * @return log_alpha [batch, n, n] row-major
     */
    public float[] logAlpha(float[] pieces, int batch) {
        try (NDManager request = manager.newSubManager()) {
            NDArray x = normalized(request, pieces, batch);
            NDList out = network.forward(new ParameterStore(request, false), new NDList(x), false);
            return out.singletonOrThrow().toFloatArray();
        }
    }

    /** log_alpha [B, P, P] and the soft permutations S(log_alpha / tau) [B, P, P], both row-major. */
    public record Prediction(float[] logAlpha, float[] softPermutation) {
    }

    /**
     * Scores scrambled pieces and turns the scores into soft permutations with this model's tau
     * and n_iter (inference mode).
     *
     * @param pieces [batch, P, C, h, w] pixel intensities in [0, 1]
     */
    public Prediction predict(float[] pieces, int batch) {
        try (NDManager request = manager.newSubManager()) {
            NDArray x = normalized(request, pieces, batch);
            NDArray logAlpha = network.forward(new ParameterStore(request, false), new NDList(x), false).singletonOrThrow();
            NDArray soft = dev.sinkhorn.core.sinkhorn.SinkhornOps.sinkhornMatrices(logAlpha, spec.tau(), spec.nIter());
            return new Prediction(logAlpha.toFloatArray(), soft.toFloatArray());
        }
    }

    /** (pieces - mean) / std as an NDArray [batch, P, C, h, w] on this model's device. */
    public NDArray normalized(NDManager target, float[] pieces, int batch) {
        float[] x = new float[pieces.length];
        float inv = 1f / pixelStd;
        for (int k = 0; k < x.length; k++) {
            x[k] = (pieces[k] - pixelMean) * inv;
        }
        return target.create(x, network.inputShape(batch));
    }

    private List<Shape> parameterShapes() {
        List<Shape> shapes = new ArrayList<>();
        for (Pair<String, Parameter> p : network.getParameters()) {
            shapes.add(p.getValue().getArray().getShape());
        }
        return shapes;
    }

    @Override
    public void close() {
        manager.close();
    }
}
