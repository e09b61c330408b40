package dev.sinkhorn.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.LayerNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.util.ArrayList;
import java.util.List;

/**
 * The context-aware jigsaw network (architecture "context"): the pieces see each other before they
 * are scored, so a piece whose content alone does not tell its place (a blank corner, a stroke
 * that fits several places) is placed by what the other pieces show.
 *
 * <p>Input: scrambled pieces [B, P, C, h, w], normalised. Output: log_alpha [B, P, P]. Every piece
 * goes through the per-piece features of the seed's network ({@link PieceFeatures}: conv -> max-pool
 * -> ReLU -> BatchNorm), a linear embedding to `width`, then `layers` Transformer encoder layers
 * over the P embeddings (post-norm: multi-head self-attention with `heads` heads, residual,
 * LayerNorm; feed-forward width -> 2 width -> width with ReLU, residual, LayerNorm), and a linear
 * map to P scores. There is no positional encoding: the scrambled order is random and carries no
 * information, and without one the network is permutation-equivariant (permuting the input pieces
 * permutes the rows of log_alpha the same way), as a Sinkhorn network must be.
 *
 * <p>Parameters (saved in this order): those of {@link PieceFeatures}; embed_weight [width, ph * pw *
 * hidden] (over the NHWC flattening), embed_bias [width]; per layer l: l.qkv_weight [3 width, width],
 * l.qkv_bias [3 width], l.out_weight [width, width], l.out_bias [width], l.norm1_gamma, l.norm1_beta
 * [width], l.ff1_weight [2 width, width], l.ff1_bias [2 width], l.ff2_weight [width, 2 width],
 * l.ff2_bias [width], l.norm2_gamma, l.norm2_beta [width]; score_weight [P, width], score_bias [P].
 */
public final class ContextNetwork extends PuzzleNetwork {
    private static final byte VERSION = 1;
    private static final float LN_EPSILON = 1e-5f;

    private final ModelSpec spec;
    private final Parameter embedWeight;
    private final Parameter embedBias;
    private final List<Parameter[]> layers = new ArrayList<>();
    private final Parameter scoreWeight;
    private final Parameter scoreBias;

    ContextNetwork(ModelSpec spec, long seed) {
        super(VERSION, spec, seed);
        this.spec = spec;
        int w = spec.width();
        embedWeight = weight("embed_weight", w, spec.linearInputs(), seed + 10);
        embedBias = bias("embed_bias", w, spec.linearInputs(), seed + 11);
        for (int l = 0; l < spec.layers(); l++) {
            long s = seed + 100L * (l + 1);
            String n = l + ".";
            layers.add(new Parameter[] {weight(n + "qkv_weight", 3 * w, w, s), bias(n + "qkv_bias", 3 * w, w, s + 1),
                    weight(n + "out_weight", w, w, s + 2), bias(n + "out_bias", w, w, s + 3), ones(n + "norm1_gamma", w),
                    zeros(n + "norm1_beta", w), weight(n + "ff1_weight", 2 * w, w, s + 4), bias(n + "ff1_bias", 2 * w, w, s + 5),
                    weight(n + "ff2_weight", w, 2 * w, s + 6), bias(n + "ff2_bias", w, 2 * w, s + 7), ones(n + "norm2_gamma", w),
                    zeros(n + "norm2_beta", w)});
        }
        scoreWeight = weight("score_weight", spec.pieces(), w, seed + 20);
        scoreBias = bias("score_bias", spec.pieces(), w, seed + 21);
    }

    private Parameter weight(String name, int out, int in, long seed) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).optShape(new Shape(out, in))
                .optInitializer(UniformInitializer.forFanIn(in, seed)).build());
    }

    private Parameter bias(String name, int out, int fanIn, long seed) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.BIAS).optShape(new Shape(out))
                .optInitializer(UniformInitializer.forFanIn(fanIn, seed)).build());
    }

    private Parameter ones(String name, int n) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.GAMMA).optShape(new Shape(n))
                .optInitializer(Initializer.ONES).build());
    }

    private Parameter zeros(String name, int n) {
        return addParameter(Parameter.builder().setName(name).setType(Parameter.Type.BETA).optShape(new Shape(n))
                .optInitializer(Initializer.ZEROS).build());
    }

    @Override
    protected NDArray scores(ParameterStore ps, NDArray x, long b, boolean training) {
        int p = spec.pieces();
        int w = spec.width();
        int heads = spec.heads();
        int dh = w / heads;
        NDArray h = linear(ps, x, embedWeight, embedBias, training).reshape(b, p, w);
        // A scalar as an NDArray of this call's manager: DJL's x.mul(Number) frees its scalar while
        // autograd still needs it (docs/training.md).
        NDArray scale = h.getManager().create((float) (1 / Math.sqrt(dh)));
        for (Parameter[] l : layers) {
            NDArray qkv = linear(ps, h, l[0], l[1], training); // [b, p, 3w]
            NDList parts = qkv.split(3, 2);
            NDArray q = heads(parts.get(0), b, p, heads, dh);
            NDArray k = heads(parts.get(1), b, p, heads, dh);
            NDArray v = heads(parts.get(2), b, p, heads, dh);
            NDArray attention = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale).softmax(3); // [b, heads, p, p]
            NDArray mixed = attention.matMul(v).transpose(0, 2, 1, 3).reshape(b, p, w);
            h = norm(ps, h.add(linear(ps, mixed, l[2], l[3], training)), l[4], l[5], training);
            NDArray ff = linear(ps, Activation.relu(linear(ps, h, l[6], l[7], training)), l[8], l[9], training);
            h = norm(ps, h.add(ff), l[10], l[11], training);
        }
        return linear(ps, h, scoreWeight, scoreBias, training);
    }

    private static NDArray heads(NDArray x, long b, int p, int heads, int dh) {
        return x.reshape(b, p, heads, dh).transpose(0, 2, 1, 3);
    }

    private static NDArray linear(ParameterStore ps, NDArray x, Parameter weight, Parameter bias, boolean training) {
        Device d = x.getDevice();
        return Linear.linear(x, ps.getValue(weight, d, training), ps.getValue(bias, d, training)).singletonOrThrow();
    }

    private NDArray norm(ParameterStore ps, NDArray x, Parameter gamma, Parameter beta, boolean training) {
        Device d = x.getDevice();
        return LayerNorm.layerNorm(x, new Shape(spec.width()), ps.getValue(gamma, d, training), ps.getValue(beta, d, training),
                LN_EPSILON).singletonOrThrow();
    }
}
