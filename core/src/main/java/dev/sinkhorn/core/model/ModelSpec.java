package dev.sinkhorn.core.model;

import dev.sinkhorn.core.data.ImageSet;
import dev.sinkhorn.core.errors.InvalidInputException;
import java.util.ArrayList;
import java.util.List;

/**
 * The architecture of a Sinkhorn network for the jigsaw task and the Sinkhorn settings it uses
 * (the domain twin of the sinkhorn.v1.ModelSpec message).
 *
 * <p>A puzzle has P = grid^2 pieces of floor(imageSize / grid) pixels per side; each piece goes
 * through conv(kernelSize, hiddenChannels, same padding) -> max-pool 2 -> ReLU -> BatchNorm ->
 * linear to P scores (one row of log_alpha per piece).
 */
public record ModelSpec(String task, int inChannels, int imageSize, int grid, int hiddenChannels, int kernelSize,
                        float tau, int nIter) {
    public static final String JIGSAW = "jigsaw";
    public static final int MIN_GRID = 2;
    public static final int MAX_GRID = 7;

    /** The seed notebook's network for images of the given shape. */
    public static ModelSpec seed(int inChannels, int imageSize) {
        return new ModelSpec(JIGSAW, inChannels, imageSize, 2, 32, 5, 0.1f, 20);
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
        if (!JIGSAW.equals(task)) {
            p.add("task: '" + task + "' is not supported; the only task is \"jigsaw\"");
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
        if (!(tau > 0) || !Float.isFinite(tau)) {
            p.add("tau: must be > 0 and finite, got " + tau);
        }
        if (nIter < 1 || nIter > 1000) {
            p.add("n_iter: must be 1 to 1000, got " + nIter);
        }
        return p;
    }
}
