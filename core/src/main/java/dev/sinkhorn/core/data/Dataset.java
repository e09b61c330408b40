package dev.sinkhorn.core.data;

/**
 * A loaded data set: its training and test splits and the input normalisation its models use,
 * x = (pixel - pixelMean) / pixelStd for pixels scaled to [0, 1].
 */
public record Dataset(String name, ImageSet train, ImageSet test, float pixelMean, float pixelStd) {
}
