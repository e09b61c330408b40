package dev.sinkhorn.core.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
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
 * <p>With edge attention ({@link ModelSpec#edgeAttention()}) every layer adds to head h's attention
 * logit from piece i to piece j the bias sum_d e[d, h] * D_d(i, j), where D_d are the {@link
 * #edgeDissimilarity edge dissimilarities} of the two pieces in direction d (j right of, below, left
 * of, above i) and e is learned, starting at 0. The content embedding keeps only a max-pooled view of
 * the pixels at a piece's border; D compares them exactly, so a head can attend to the piece that
 * continues this one's edge, and with it tell apart pieces that look nearly the same. D permutes
 * with the pieces, so the network stays permutation-equivariant.
 *
 * <p>Parameters (saved in this order): those of {@link PieceFeatures}; embed_weight [width, ph * pw *
 * hidden] (over the NHWC flattening), embed_bias [width]; per layer l: l.qkv_weight [3 width, width],
 * l.qkv_bias [3 width], l.out_weight [width, width], l.out_bias [width], l.norm1_gamma, l.norm1_beta
 * [width], l.ff1_weight [2 width, width], l.ff1_bias [2 width], l.ff2_weight [width, 2 width],
 * l.ff2_bias [width], l.norm2_gamma, l.norm2_beta [width]; score_weight [P, width], score_bias [P]; with edge
 * attention then per layer l: l.edge_weight [4, heads] (rows: directions right, below, left, above).
 */
public final class ContextNetwork extends PuzzleNetwork {
    private static final byte VERSION = 1;
    /**
     * The encoding version with edge attention: a reader that builds the network without it (0.6.0,
     * or a spec that says none) rejects the parameters instead of loading all but the edge weights.
     */
    private static final byte EDGE_VERSION = 2;
    private static final float LN_EPSILON = 1e-5f;

    private final ModelSpec spec;
    private final Parameter embedWeight;
    private final Parameter embedBias;
    private final List<Parameter[]> layers = new ArrayList<>();
    private final List<Parameter> edgeWeights = new ArrayList<>();
    private final Parameter scoreWeight;
    private final Parameter scoreBias;

    ContextNetwork(ModelSpec spec, long seed) {
        super(spec.edgeAttention() ? EDGE_VERSION : VERSION, spec, seed);
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
        for (int l = 0; spec.edgeAttention() && l < spec.layers(); l++) {
            edgeWeights.add(addParameter(Parameter.builder().setName(l + ".edge_weight").setType(Parameter.Type.WEIGHT)
                    .optShape(new Shape(4, spec.heads())).optInitializer(Initializer.ZEROS).build()));
        }
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
    protected NDArray scores(ParameterStore ps, NDArray pieces, NDArray x, long b, boolean training) {
        int p = spec.pieces();
        int w = spec.width();
        int heads = spec.heads();
        int dh = w / heads;
        NDArray h = linear(ps, x, embedWeight, embedBias, training).reshape(b, p, w);
        // A scalar as an NDArray of this call's manager: DJL's x.mul(Number) frees its scalar while
        // autograd still needs it (docs/training.md).
        NDArray scale = h.getManager().create((float) (1 / Math.sqrt(dh)));
        // [b, p * p, 4]; every product below starts from it: DJL puts a result in its first operand's
        // manager, and one of the parameter's would keep each step's autograd graph to the model's end.
        NDArray edges = spec.edgeAttention() ? edgeDissimilarity(pieces, b, p).transpose(0, 2, 1) : null;
        for (int li = 0; li < layers.size(); li++) {
            Parameter[] l = layers.get(li);
            NDArray qkv = linear(ps, h, l[0], l[1], training); // [b, p, 3w]
            NDList parts = qkv.split(3, 2);
            NDArray q = heads(parts.get(0), b, p, heads, dh);
            NDArray k = heads(parts.get(1), b, p, heads, dh);
            NDArray v = heads(parts.get(2), b, p, heads, dh);
            NDArray logits = q.matMul(k.transpose(0, 1, 3, 2)).mul(scale); // [b, heads, p, p]
            if (edges != null) {
                NDArray weight = ps.getValue(edgeWeights.get(li), x.getDevice(), training); // [4, heads]
                logits = logits.add(edges.matMul(weight).transpose(0, 2, 1).reshape(b, heads, p, p));
            }
            NDArray attention = logits.softmax(3);
            NDArray mixed = attention.matMul(v).transpose(0, 2, 1, 3).reshape(b, p, w);
            h = norm(ps, h.add(linear(ps, mixed, l[2], l[3], training)), l[4], l[5], training);
            NDArray ff = linear(ps, Activation.relu(linear(ps, h, l[6], l[7], training)), l[8], l[9], training);
            h = norm(ps, h.add(ff), l[10], l[11], training);
        }
        return linear(ps, h, scoreWeight, scoreBias, training);
    }

    /**
     * Edge dissimilarities of every ordered pair of pieces: pieces [b, p, C, h, w] (normalised) ->
     * [b, 4, p * p], entry (d, i * p + j) the mean over C * h (or C * w) pixels of the squared
     * difference across the seam if j were next to i in direction d: d = 0, j right of i (i's last
     * column against j's first), d = 1 j below i (i's last row against j's first), d = 2 and 3 the
     * transposes of 0 and 1 (j left of, above i). 0 where two edges continue each other exactly.
     */
    static NDArray edgeDissimilarity(NDArray pieces, long b, int p) {
        NDArray right = pieces.get(":, :, :, :, -1").reshape(b, p, -1);
        NDArray left = pieces.get(":, :, :, :, 0").reshape(b, p, -1);
        NDArray bottom = pieces.get(":, :, :, -1, :").reshape(b, p, -1);
        NDArray top = pieces.get(":, :, :, 0, :").reshape(b, p, -1);
        NDArray horizontal = meanSquaredDifference(right, left);
        NDArray vertical = meanSquaredDifference(bottom, top);
        return NDArrays.stack(new NDList(horizontal, vertical, horizontal.transpose(0, 2, 1), vertical.transpose(0, 2, 1)), 1)
                .reshape(b, 4, (long) p * p);
    }

    /** Rows a [b, p, k] against rows c [b, p, k]: [b, p, p], entry (i, j) the mean of (a_i - c_j)^2. */
    private static NDArray meanSquaredDifference(NDArray a, NDArray c) {
        long k = a.getShape().get(2);
        NDArray aa = a.square().sum(new int[] {2}, true); // [b, p, 1]
        NDArray cc = c.square().sum(new int[] {2}, true).transpose(0, 2, 1); // [b, 1, p]
        NDArray cross = a.matMul(c.transpose(0, 2, 1)); // [b, p, p]
        NDArray two = a.getManager().create(2f);
        NDArray inverseK = a.getManager().create(1f / k);
        return aa.add(cc).sub(cross.mul(two)).mul(inverseK);
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
