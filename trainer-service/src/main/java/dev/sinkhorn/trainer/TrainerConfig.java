package dev.sinkhorn.trainer;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/** Job, progress and checkpoint settings (application.properties prefix {@code trainer}). */
@ConfigMapping(prefix = "trainer")
public interface TrainerConfig {
    /** Jobs (of different models) this replica runs at the same time; more wait QUEUED. */
    int maxConcurrentJobs();

    /** The consumer group through which the trainer replicas share sinkhorn.jobs (docs/scale-out.md). */
    @WithDefault("sinkhorn-trainers")
    String jobsGroup();

    /** A replica not heard from for this long is dropped from the group; its jobs move to another replica. */
    @WithDefault("10S")
    Duration jobsSessionTimeout();

    /** A Progress event at most this often. */
    Duration progressInterval();

    /** Checkpoints waiting for Kafka; training blocks while the queue is full. */
    int checkpointQueue();

    /**
     * Versions of a model kept on sinkhorn.checkpoints besides those that ever served: publishing
     * version n retires version n - keepVersions unless it ever served (docs/lifecycle.md).
     */
    int keepVersions();

    /** A checkpoint not acknowledged by Kafka within this time fails its job. */
    Duration checkpointDeliveryTimeout();

    /** How long a finished job waits for the evaluation of its last checkpoint, to stream it before `finished`. */
    Duration finalEvaluationWait();

    int maxEpochs();

    int maxBatchSize();

    int maxSamples();

    /** Steps one sorting job may run. */
    @WithDefault("1000000")
    int maxSteps();

    /** Points (jobs) one sweep may have. */
    @WithDefault("64")
    int maxSweepPoints();

    /** Ed25519 private key (PKCS#8 PEM file) that signs every checkpoint; unset: checkpoints are not signed. */
    Optional<Path> signingKey();

    /** The name of that key in the checkpoints (signing_key_id): what verifiers call its public key. */
    @WithDefault("default")
    String signingKeyId();
}
