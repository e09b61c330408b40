package dev.sinkhorn.trainer;

import dev.sinkhorn.service.kafka.CheckpointRecords;
import dev.sinkhorn.service.kafka.KafkaClients;
import dev.sinkhorn.service.kafka.PipelineTopics;
import dev.sinkhorn.service.kafka.WholeTopicReader;
import dev.sinkhorn.v1.Checkpoint;
import java.time.Duration;
import java.util.Optional;

/** Reads sinkhorn.checkpoints to its end: the newest version and the newest valid checkpoint of a model. */
final class CheckpointLog {
    private CheckpointLog() {
    }

    /** What the topic holds for one model: its newest version (0 when none) and that checkpoint. */
    record Newest(long version, Optional<Checkpoint> checkpoint) {
    }

    static Newest read(KafkaClients kafka, String model, Duration timeout) {
        Checkpoint[] newest = {null};
        WholeTopicReader.readToEnd(kafka, PipelineTopics.CHECKPOINTS, timeout, r -> {
            CheckpointRecords.Decoded d = CheckpointRecords.decode(r.key(), r.value());
            if (d.ok() && d.checkpoint().getModel().equals(model)
                    && (newest[0] == null || d.checkpoint().getVersion() > newest[0].getVersion())) {
                newest[0] = d.checkpoint();
            }
        });
        return new Newest(newest[0] == null ? 0 : newest[0].getVersion(), Optional.ofNullable(newest[0]));
    }
}
