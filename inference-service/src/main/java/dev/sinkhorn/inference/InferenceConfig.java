package dev.sinkhorn.inference;

import io.smallrye.config.ConfigMapping;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Caps, matcher calls and evaluation settings (application.properties prefix {@code inference}). */
@ConfigMapping(prefix = "inference")
public interface InferenceConfig {
    /** Largest B*N*N (Sinkhorn, GumbelSinkhorn: of the output, B*n_samples*N*N) or values of Predict's pieces. */
    long maxElements();

    /** Largest n_iter. */
    int maxIterations();

    /** Largest n_samples. */
    int maxSamples();

    /** Deadline of each call to the matcher. */
    Duration matcherDeadline();

    /** Test images per evaluation (all of the split when larger). */
    int evalLimit();

    /** Seed of the evaluation's scrambles: every version of a model is judged on the same puzzles. */
    long evalSeed();

    /** Lists a sorting model is evaluated on (fresh lists from its training range, seeded by eval-seed). */
    @io.smallrye.config.WithDefault("1000")
    int evalLists();

    /** Images per streamed evaluation message. */
    int evalBatch();

    /** Kafka consumer group of the replicas, which shares out the evaluations (see EvaluationDuty). */
    String evaluationGroup();

    /**
     * A folder of trusted Ed25519 public keys (X.509 PEM, each named by its key id): when set, only
     * checkpoints signed by one of them are loaded. Unset: unsigned checkpoints load too.
     */
    Optional<Path> trustedCheckpointKeys();

    /** The default promotion policy; SetPromotionPolicy overrides it per model (docs/lifecycle.md). */
    Promotion promotion();

    /** Defaults of PromotionPolicy's fields. */
    interface Promotion {
        /** How much lower a candidate's mean Kendall tau may be than the serving version's. */
        double maxKendallTauDrop();

        /** How much higher a candidate's prop_any_wrong may be than the serving version's. */
        double maxPropAnyWrongRise();
    }

    /** Dynamic batching of Predict (names as Triton's dynamic_batching; docs/operations.md). */
    DynamicBatching dynamicBatching();

    interface DynamicBatching {
        /** Off: every Predict runs alone. */
        boolean enabled();

        /** Puzzles per forward pass at most; a request this large or larger runs alone. */
        int maxBatchSize();

        /** How long a request may wait for others to join its batch. */
        long maxQueueDelayMicroseconds();
    }
}
