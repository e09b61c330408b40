package dev.sinkhorn.core.data;

/**
 * Images with their labels, pixels as unsigned bytes.
 *
 * <p>Shapes: pixels [count, channels, height, width] row-major (one byte per pixel, 0..255);
 * labels [count] (0..255), or {@code null} when the set has none.
 */
public record ImageSet(int count, int channels, int height, int width, byte[] pixels, byte[] labels) {

    public ImageSet {
        long expected = (long) count * channels * height * width;
        if (pixels.length != expected) {
            throw new IllegalArgumentException("pixels holds " + pixels.length + " bytes, shape needs " + expected);
        }
        if (labels != null && labels.length != count) {
            throw new IllegalArgumentException(labels.length + " labels for " + count + " images");
        }
    }

    /** Pixels per image (channels * height * width). */
    public int imageSize() {
        return channels * height * width;
    }

    /** Label of image i as 0..255. */
    public int label(int i) {
        return labels[i] & 0xff;
    }

    /**
     * Copies images {@code indices[0..n)} into {@code out} as floats in [0, 1], each image at
     * out[k * imageSize()]. Pixel scaling only; normalisation belongs to the model.
     */
    public void copyUnitPixels(int[] indices, int n, float[] out) {
        int size = imageSize();
        for (int k = 0; k < n; k++) {
            int base = indices[k] * size;
            int o = k * size;
            for (int p = 0; p < size; p++) {
                out[o + p] = (pixels[base + p] & 0xff) * (1f / 255f);
            }
        }
    }

    /** The first {@code n} images (a view sharing no state with this set). */
    public ImageSet limit(int n) {
        if (n <= 0 || n >= count) {
            return this;
        }
        byte[] p = java.util.Arrays.copyOf(pixels, n * imageSize());
        byte[] l = labels == null ? null : java.util.Arrays.copyOf(labels, n);
        return new ImageSet(n, channels, height, width, p, l);
    }
}
