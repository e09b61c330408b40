package dev.sinkhorn.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A jigsaw network: input scrambled pieces [B, P, C, h, w] (normalised), output log_alpha
 * [B, P, P]. Every piece first goes through the {@link PieceFeatures}; the architecture decides
 * how the features become scores.
 */
abstract class PuzzleNetwork extends ScoringNetwork {
    protected final PieceFeatures features;

    /** @param seed the features' parameters are initialised from it (same seed, same parameters) */
    protected PuzzleNetwork(byte version, ModelSpec spec, long seed) {
        super(version, spec);
        features = new PieceFeatures(spec, seed, this::addParameter);
    }

    @Override
    public Shape inputShape(long b) {
        return features.inputShape(b);
    }

    @Override
    protected NDList forwardInternal(ParameterStore ps, NDList inputs, boolean training, PairList<String, Object> params) {
        NDArray pieces = inputs.singletonOrThrow();
        long b = pieces.getShape().get(0);
        NDArray logAlpha = scores(ps, pieces, features.forward(ps, pieces, training), b, training);
        return new NDList(logAlpha.reshape(b, spec().pieces(), spec().pieces()));
    }

    /**
     * log_alpha of b puzzles from their pieces' features [b * P, ph * pw * hidden] (NHWC-flattened);
     * the pieces themselves [b, P, C, h, w] (normalised) for an architecture that compares their pixels.
     */
    protected abstract NDArray scores(ParameterStore ps, NDArray pieces, NDArray features, long b, boolean training);
}
