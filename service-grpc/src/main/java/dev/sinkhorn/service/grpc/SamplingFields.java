package dev.sinkhorn.service.grpc;

import dev.sinkhorn.core.errors.InvalidInputException;
import dev.sinkhorn.core.errors.LimitExceededException;
import dev.sinkhorn.core.random.GumbelSampling;

/**
 * The n_samples and noise_factor fields of GumbelSinkhorn and SampleMatching requests: 0 (unset)
 * means 1 sample and noise factor 1.0; the samples of a request count against its element cap.
 */
public final class SamplingFields {
    private SamplingFields() {
    }

    /**
     * @param nSamples        the request's n_samples (unsigned; 0: default 1)
     * @param noiseFactor     the request's noise_factor (0: default 1.0; must be finite and > 0 otherwise)
     * @param elementsPerCopy entries of the input, each sample copies them all
     * @param maxSamples      cap on n_samples
     * @param maxElements     cap on n_samples * elementsPerCopy
     */
    public static GumbelSampling parse(int nSamples, float noiseFactor, long elementsPerCopy, long maxSamples, long maxElements) {
        long samples = nSamples == 0 ? 1 : Integer.toUnsignedLong(nSamples);
        if (samples > maxSamples) {
            throw new LimitExceededException("n_samples = " + samples + " exceeds the cap of " + maxSamples);
        }
        if (samples * elementsPerCopy > maxElements) {
            throw new LimitExceededException("n_samples * batch*rows*cols = " + samples * elementsPerCopy + " exceeds the cap of "
                    + maxElements + " elements");
        }
        float noise = noiseFactor == 0f ? 1f : noiseFactor;
        if (!(noise > 0) || !Float.isFinite(noise)) {
            throw new InvalidInputException("noise_factor must be >= 0 and finite, got " + noiseFactor);
        }
        return new GumbelSampling((int) samples, noise);
    }
}
