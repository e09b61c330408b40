package dev.sinkhorn.matcher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Limits and resources of the matcher (application.properties prefix {@code matcher}). */
@ConfigMapping(prefix = "matcher")
public interface MatcherConfig {
    /** Largest rows of one matrix; above it: RESOURCE_EXHAUSTED. */
    @WithDefault("4096")
    int maxRows();

    /** Largest cols of one matrix; above it: RESOURCE_EXHAUSTED. */
    @WithDefault("4096")
    int maxCols();

    /** Largest batch*rows*cols of one request (or message of a stream, and of the samples of SampleMatching). */
    @WithDefault("16777216")
    long maxElements();

    /** Threads solving batches in parallel; 0 means one per available core. */
    @WithDefault("0")
    int parallelism();
}
