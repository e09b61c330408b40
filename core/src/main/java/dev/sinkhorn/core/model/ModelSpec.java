package dev.sinkhorn.core.model;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a Sinkhorn network and the Sinkhorn settings it uses (the domain twin of
 * the sinkhorn.v1.ModelSpec message). Two tasks:
 *
 * <ul>
 *   <li>"jigsaw": a puzzle has P = grid^2 pieces of floor(imageSize / grid) pixels per side. With
 *       architecture "per-piece" (the seed's, {@link JigsawNetwork}) each piece goes alone through
 *       conv(kernelSize, hiddenChannels, same padding) -> max-pool 2 -> ReLU -> BatchNorm -> linear
 *       to P scores; with "context" ({@link ContextNetwork}) the pieces' features go through
 *       `layers` Transformer encoder layers (`heads` heads, `width` wide) before they are scored,
 *       with edgeAttention their attention biased by how well the pieces fit edge to edge. items
 *       and units are 0.</li>
 *   <li>"sorting" ({@link SortingNetwork}): a list of N = items numbers; each number goes through
 *       linear(1 -> units) -> ReLU -> linear(units -> N). The image fields are 0.</li>
 * </ul>
 * Either way the network gives one row of log_alpha per item: [B, n, n], n = {@link #size()}.
 */
public record ModelSpec(String task, int inChannels, int imageSize, int grid, int hiddenChannels, int kernelSize,
                        float tau, int nIter, int items, int units, String architecture, int layers, int heads, int width,
                        boolean edgeAttention) {
    public static final String JIGSAW = "jigsaw";
    public static final String SORTING = "sorting";
    public static final String PER_PIECE = "per-piece";
    public static final String CONTEXT = "context";
    public static final int MIN_GRID = 2;
    public static final int MAX_GRID = 7;
    public static final int MAX_ITEMS = 1000;

    /** The seed notebook's network for images of the given shape. */
    public static ModelSpec seed(int inChannels, int imageSize) {
        return jigsaw(inChannels, imageSize, 2, 32, 5, 0.1f, 20);
    }

    /** A jigsaw network (see the class comment). */
    public static ModelSpec jigsaw(int inChannels, int imageSize, int grid, int hiddenChannels, int kernelSize, float tau,
                                   int nIter) {
        return new ModelSpec(JIGSAW, inChannels, imageSize, grid, hiddenChannels, kernelSize, tau, nIter, 0, 0, PER_PIECE, 0, 0, 0,
                false);
    }

    /** A sorting network for lists of {@code items} numbers (see the class comment). */
    public static ModelSpec sorting(int items, int units, float tau, int nIter) {
        return new ModelSpec(SORTING, 0, 0, 0, 0, 0, tau, nIter, items, units, "", 0, 0, 0, false);
    }

    /** This jigsaw spec with the context-aware architecture of the given size (without edge attention). */
    public ModelSpec withContext(int layers, int heads, int width) {
        return new ModelSpec(task, inChannels, imageSize, grid, hiddenChannels, kernelSize, tau, nIter, items, units, CONTEXT, layers,
                heads, width, false);
    }

    /** This context spec with (or without) the edge-compatibility bias in its attention ({@link ContextNetwork}). */
    public ModelSpec withEdgeAttention(boolean on) {
        return new ModelSpec(task, inChannels, imageSize, grid, hiddenChannels, kernelSize, tau, nIter, items, units, architecture,
                layers, heads, width, on);
    }

    /** This spec with the image shape of a data set (a jigsaw spec may leave it 0 until the data are known). */
    public ModelSpec withImages(int inChannels, int imageSize) {
        return new ModelSpec(task, inChannels, imageSize, grid, hiddenChannels, kernelSize, tau, nIter, items, units, architecture,
                layers, heads, width, edgeAttention);
    }

    /** A jigsaw spec whose pieces see each other before they are scored. */
    public boolean isContext() {
        return CONTEXT.equals(architecture);
    }

    public boolean isSorting() {
        return SORTING.equals(task);
    }

    /** Items per input, the side of log_alpha: P pieces for jigsaw, N numbers for sorting. */
    public int size() {
        return isSorting() ? items : pieces();
    }

    /** Floats of one input (one puzzle or one list): P * C * h * w for jigsaw, N for sorting. */
    public int inputFloats() {
        return isSorting() ? items : pieces() * pieceFloats();
    }

    public int pieces() {
        return grid * grid;
    }

    /** Side of a piece in pixels. */
    public int pieceSize() {
        return imageSize / grid;
    }

    /** Side of a piece after the 2x2 max-pool. */
    public int pooledSize() {
        return pieceSize() / 2;
    }

    /** Inputs of the final linear layer. */
    public int linearInputs() {
        return hiddenChannels * pooledSize() * pooledSize();
    }

    /** Floats of one piece: channels * pieceSize^2. */
    public int pieceFloats() {
        return inChannels * pieceSize() * pieceSize();
    }

    /**
     * Checks that images of this shape can feed this model (channels and square side as the spec
     * says); {@code what} names them in the message, e.g. "mnist test images".
     *
     * @throws InvalidInputException when they cannot
     */
    public void requireFits(ImageSet images, String what) {
        if (images.channels() != inChannels || images.height() != imageSize || images.width() != imageSize) {
            throw new InvalidInputException(what + " are " + images.channels() + "x" + images.height() + "x" + images.width()
                    + " but the model expects " + inChannels + "x" + imageSize + "x" + imageSize);
        }
    }

    /** Problems with this spec, as "field: what is wrong" messages (empty when valid). */
    public List<String> problems() {
        List<String> p = new ArrayList<>();
        if (isSorting()) {
            if (items < 2 || items > MAX_ITEMS) {
                p.add("items: must be 2 to " + MAX_ITEMS + " for task \"sorting\", got " + items);
            }
            if (units < 1 || units > 4096) {
                p.add("units: must be 1 to 4096 for task \"sorting\", got " + units);
            }
            if (!architecture.isEmpty() || layers != 0 || heads != 0 || width != 0 || edgeAttention) {
                p.add("architecture/layers/heads/width/edge_attention: only for task \"jigsaw\"; a sorting network scores every number "
                        + "alone");
            }
            sinkhornProblems(p);
            return p;
        }
        if (!JIGSAW.equals(task)) {
            p.add("task: '" + task + "' is not supported; use \"jigsaw\" or \"sorting\"");
        }
        if (items != 0 || units != 0) {
            p.add("items/units: only for task \"sorting\"; leave them 0 for \"jigsaw\"");
        }
        if (isContext()) {
            if (layers < 1 || layers > 12) {
                p.add("layers: must be 1 to 12 for architecture \"context\", got " + layers);
            }
            if (heads < 1 || heads > 16) {
                p.add("heads: must be 1 to 16 for architecture \"context\", got " + heads);
            }
            if (width < 1 || width > 1024 || (heads >= 1 && width % heads != 0)) {
                p.add("width: must be 1 to 1024 and a multiple of heads (" + heads + ") for architecture \"context\", got " + width);
            }
        } else if (!PER_PIECE.equals(architecture)) {
            p.add("architecture: '" + architecture + "' is not one of \"per-piece\" (the seed's) and \"context\"");
        } else if (layers != 0 || heads != 0 || width != 0 || edgeAttention) {
            p.add("layers/heads/width/edge_attention: only for architecture \"context\"; leave them unset for \"per-piece\"");
        }
        if (inChannels < 1 || inChannels > 64) {
            p.add("in_channels: must be 1 to 64, got " + inChannels);
        }
        if (grid < MIN_GRID || grid > MAX_GRID) {
            p.add("grid: must be " + MIN_GRID + " to " + MAX_GRID + ", got " + grid);
        }
        if (imageSize < 2 || imageSize > 1024) {
            p.add("image_size: must be 2 to 1024, got " + imageSize);
        } else if (grid >= MIN_GRID && pooledSize() < 1) {
            p.add("image_size: " + imageSize + " px cut into " + grid + "x" + grid + " gives " + pieceSize()
                    + " px pieces, too small for the 2x2 max-pool (need >= 2 px)");
        }
        if (hiddenChannels < 1 || hiddenChannels > 1024) {
            p.add("hidden_channels: must be 1 to 1024, got " + hiddenChannels);
        }
        if (kernelSize < 1 || kernelSize > 15 || kernelSize % 2 == 0) {
            p.add("kernel_size: must be odd, 1 to 15, got " + kernelSize);
        }
        sinkhornProblems(p);
        return p;
    }

    private void sinkhornProblems(List<String> p) {
        if (!(tau > 0) || !Float.isFinite(tau)) {
            p.add("tau: must be > 0 and finite, got " + tau);
        }
        if (nIter < 1 || nIter > 1000) {
            p.add("n_iter: must be 1 to 1000, got " + nIter);
        }
    }
}
