package dev.sinkhorn.core.model;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;

/**
 * A Sinkhorn network: one shared network scores every item of an input, giving log_alpha
 * [B, n, n] (row i = the scores of item i for every position). The task of a {@link ModelSpec}
 * and architecture pick the network: {@link JigsawNetwork} (per-piece) or {@link ContextNetwork}
 * for jigsaw pieces, {@link SortingNetwork} for lists of numbers.
 */
public abstract class ScoringNetwork extends AbstractBlock {
    private final ModelSpec spec;

    protected ScoringNetwork(byte version, ModelSpec spec) {
        super(version);
        this.spec = spec;
    }

    /** The network the spec's task asks for, its parameters to be initialised from {@code seed}. */
    public static ScoringNetwork of(ModelSpec spec, long seed) {
        if (spec.isSorting()) {
            return new SortingNetwork(spec, seed);
        }
        return spec.isContext() ? new ContextNetwork(spec, seed) : new JigsawNetwork(spec, seed);
    }

    public ModelSpec spec() {
        return spec;
    }

    /** The input shape for a batch of b inputs: [b, P, C, h, w] for jigsaw, [b, N] for sorting. */
    public abstract Shape inputShape(long b);

    /** Creates the parameters on the manager's device. */
    public void initialize(NDManager manager) {
        initialize(manager, DataType.FLOAT32, inputShape(1));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        long b = inputShapes[0].get(0);
        return new Shape[] {new Shape(b, spec.size(), spec.size())};
    }
}
